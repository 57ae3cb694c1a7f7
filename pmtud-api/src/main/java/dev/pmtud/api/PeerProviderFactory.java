package dev.pmtud.api;

/** Registered in {@code META-INF/services/dev.pmtud.api.PeerProviderFactory}. */
public interface PeerProviderFactory extends ComponentFactory<PeerProvider> {
}
