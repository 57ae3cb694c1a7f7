package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.util.List;

/** What every component the pipeline creates gets: node name, metrics, peers, exclusions, loggers. */
final class RuntimeContext implements PipelineContext {
    private final String nodeName;
    private final Metrics metrics;
    private final PeerSet peers;
    private final List<Cidr> excludedNetworks;

    RuntimeContext(String nodeName, Metrics metrics, PeerSet peers, List<Cidr> excludedNetworks) {
        this.nodeName = nodeName;
        this.metrics = metrics;
        this.peers = peers;
        this.excludedNetworks = List.copyOf(excludedNetworks);
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public PeerSet peers() {
        return peers;
    }

    @Override
    public List<Cidr> excludedNetworks() {
        return excludedNetworks;
    }

    @Override
    public System.Logger logger(String component) {
        return System.getLogger("dev.pmtud." + component);
    }
}
