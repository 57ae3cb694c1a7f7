package dev.pmtud.api;

/** Registered in {@code META-INF/services/dev.pmtud.api.SourceFactory}. */
public interface SourceFactory extends ComponentFactory<Source> {
}
