package dev.pmtud.core.filter;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PipelineContext;
import java.util.List;
import java.util.Set;

/** {@code { type: exclude-networks, networks: [192.0.2.0/24, 2001:db8::/32] }}. */
public final class ExcludeNetworksFilterFactory implements FilterFactory {
    public static final String TYPE = "exclude-networks";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String description() {
        return "drops messages whose outer source is in one of the networks (the cluster's own nodes)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("networks");
    }

    @Override
    public Filter create(ComponentConfig config, PipelineContext context) {
        return new ExcludeNetworksFilter(networks(config));
    }

    /** The {@code networks:} list, required and non-empty; the runtime reads it for excludedNetworks(). */
    public static List<Cidr> networks(ComponentConfig config) {
        List<Cidr> networks = config.networks("networks");
        if (networks.isEmpty()) {
            throw config.error("networks", "is required and must not be empty; list CIDRs like [192.0.2.0/24, 2001:db8::/32]");
        }
        return networks;
    }
}
