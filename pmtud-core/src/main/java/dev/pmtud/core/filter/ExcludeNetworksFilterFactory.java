package dev.pmtud.core.filter;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PipelineContext;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: exclude-networks }}: drops what comes from the cluster's own networks
 * ({@code cluster.networks}); or, as before the {@code cluster:} block existed, from its own list,
 * {@code { type: exclude-networks, networks: [192.0.2.0/24, 2001:db8::/32] }}, which then counts
 * among the cluster's networks ({@link #excludedNetworks}).
 */
public final class ExcludeNetworksFilterFactory implements FilterFactory {
    public static final String TYPE = "exclude-networks";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String description() {
        return "drops messages whose outer source is in one of the networks (default: the cluster's own, cluster.networks)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("networks");
    }

    @Override
    public Filter create(ComponentConfig config, PipelineContext context) {
        if (config.has("networks")) {
            return new ExcludeNetworksFilter(networks(config));
        }
        List<Cidr> cluster = context.excludedNetworks();
        if (cluster.isEmpty()) {
            throw config.error("networks", "is required when the configuration has no cluster networks; write the networks"
                    + " your nodes send from once, as cluster: { networks: [10.0.0.0/8] }, or list them here,"
                    + " like networks: [192.0.2.0/24, 2001:db8::/32]");
        }
        return new ExcludeNetworksFilter(cluster);
    }

    /** Its own {@code networks:} when written (they are the cluster's too); none when it uses the cluster's. */
    @Override
    public List<Cidr> excludedNetworks(ComponentConfig config) {
        return config.has("networks") ? networks(config) : List.of();
    }

    /** The {@code networks:} list, which must not be empty when written. */
    private static List<Cidr> networks(ComponentConfig config) {
        List<Cidr> networks = config.networks("networks");
        if (networks.isEmpty()) {
            throw config.error("networks", "must not be empty; list CIDRs like [192.0.2.0/24, 2001:db8::/32], or leave it out"
                    + " to exclude the cluster's networks (cluster.networks)");
        }
        return networks;
    }
}
