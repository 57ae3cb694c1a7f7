package dev.pmtud.api;

/** Registered in {@code META-INF/services/dev.pmtud.api.FilterFactory}. */
public interface FilterFactory extends ComponentFactory<Filter> {
}
