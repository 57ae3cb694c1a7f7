package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.util.List;

/**
 * What every component the runtime creates gets: node name, its pipeline's name, metrics tagged
 * for that pipeline, the shared peers and exclusions, loggers. Peer providers, shared by every
 * pipeline, get one with node-level metrics and an empty pipeline name.
 */
final class RuntimeContext implements PipelineContext {
    private final String nodeName;
    private final String pipelineName;
    private final Metrics metrics;
    private final PeerSet peers;
    private final List<Cidr> excludedNetworks;

    RuntimeContext(String nodeName, String pipelineName, Metrics metrics, PeerSet peers, List<Cidr> excludedNetworks) {
        this.nodeName = nodeName;
        this.pipelineName = pipelineName;
        this.metrics = metrics;
        this.peers = peers;
        this.excludedNetworks = List.copyOf(excludedNetworks);
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String pipelineName() {
        return pipelineName;
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
