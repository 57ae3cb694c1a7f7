package dev.pmtud.api;

import java.util.List;

/** Registered in {@code META-INF/services/dev.pmtud.api.FilterFactory}. */
public interface FilterFactory extends ComponentFactory<Filter> {

    /**
     * The source networks a filter configured by {@code config} drops every message from, read
     * before any component is created. The runtime counts them among the cluster's own networks
     * ({@link PipelineContext#excludedNetworks()}), which sinks check their peers against: a peer
     * inside one of them can never have its copies replicated again. Must not touch the kernel;
     * report bad values with {@link ComponentConfig#error}. Default: none.
     */
    default List<Cidr> excludedNetworks(ComponentConfig config) {
        return List.of();
    }
}
