package dev.pmtud.core.filter;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: service-addresses, addresses: [192.0.2.10/32, 10.96.0.0/12], peers: true, cluster-networks: true,
 * cluster-addresses: true }}: keeps only messages whose embedded packet was sent from one of the
 * listed networks (VIPs, the Kubernetes Service CIDR), from a current peer (node addresses, default
 * on), from the cluster's networks ({@code cluster.networks}, default on) or from one of the
 * cluster's addresses ({@code cluster.addresses}, like every Service's IPs from the Kubernetes API;
 * default on).
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
                + " (addresses: VIPs and Service CIDRs; peers; cluster.networks; cluster.addresses)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("addresses", "peers", "cluster-networks", "cluster-addresses");
    }

    @Override
    public Filter create(ComponentConfig config, PipelineContext context) {
        List<Cidr> networks = new ArrayList<>(config.has("addresses") ? config.networks("addresses") : List.of());
        boolean peers = config.bool("peers", true);
        // PeerSet.NONE: the node has no cluster.addresses providers, so that set stays empty.
        boolean clusterAddresses = config.bool("cluster-addresses", true) && context.clusterAddresses() != PeerSet.NONE;
        if (config.bool("cluster-networks", true)) {
            networks.addAll(context.excludedNetworks());
        }
        if (networks.isEmpty() && !peers && !clusterAddresses) {
            throw config.error(config.has("addresses") ? "addresses" : "peers", "leaves no address to keep, so every message"
                    + " would be dropped; list the cluster's VIPs and Service CIDR as addresses: [192.0.2.10/32, 10.96.0.0/12],"
                    + " or set peers: true, or list providers under cluster.addresses (like - { type: kubernetes-services })");
        }
        ServiceAddressesFilter filter = new ServiceAddressesFilter(networks);
        if (peers) {
            filter.peersChanged(context.peers().current());
            context.peers().addListener(filter::peersChanged);
        }
        if (clusterAddresses) {
            filter.clusterAddressesChanged(context.clusterAddresses().current());
            context.clusterAddresses().addListener(filter::clusterAddressesChanged);
        }
        return filter;
    }
}
