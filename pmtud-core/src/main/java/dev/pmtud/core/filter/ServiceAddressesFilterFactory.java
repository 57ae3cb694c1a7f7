package dev.pmtud.core.filter;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PipelineContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: service-addresses, addresses: [192.0.2.10/32, 10.96.0.0/12], peers: true, cluster-networks: true }}:
 * keeps only messages whose embedded packet was sent from one of the listed networks (VIPs, the
 * Kubernetes Service CIDR), from a current peer (node addresses, default on) or from the cluster's
 * networks ({@code cluster.networks}, default on).
 */
public final class ServiceAddressesFilterFactory implements FilterFactory {
    public static final String TYPE = "service-addresses";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String description() {
        return "keeps only messages whose embedded packet was sent from the cluster's own addresses"
                + " (addresses: VIPs and Service CIDRs; peers; cluster.networks)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("addresses", "peers", "cluster-networks");
    }

    @Override
    public Filter create(ComponentConfig config, PipelineContext context) {
        List<Cidr> networks = new ArrayList<>(config.has("addresses") ? config.networks("addresses") : List.of());
        boolean peers = config.bool("peers", true);
        if (config.bool("cluster-networks", true)) {
            networks.addAll(context.excludedNetworks());
        }
        if (networks.isEmpty() && !peers) {
            throw config.error(config.has("addresses") ? "addresses" : "peers", "leaves no address to keep, so every message"
                    + " would be dropped; list the cluster's VIPs and Service CIDR as addresses: [192.0.2.10/32, 10.96.0.0/12],"
                    + " or set peers: true");
        }
        ServiceAddressesFilter filter = new ServiceAddressesFilter(networks);
        if (peers) {
            filter.peersChanged(context.peers().current());
            context.peers().addListener(filter::peersChanged);
        }
        return filter;
    }
}
