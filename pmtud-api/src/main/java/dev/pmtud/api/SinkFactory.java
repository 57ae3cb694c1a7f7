package dev.pmtud.api;

/** Registered in {@code META-INF/services/dev.pmtud.api.SinkFactory}. */
public interface SinkFactory extends ComponentFactory<Sink> {
}
