package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.util.List;

/**
 * What every component the runtime creates gets: node name, its pipeline's name, metrics tagged
 * for that pipeline, the shared peers and exclusions, and its own logger. One per pipeline, and
 * from it one per component ({@link #forComponent}), which differs only in the logger's name. Peer
 * providers, shared by every pipeline, get one with node-level metrics and an empty pipeline name.
 */
final class RuntimeContext implements PipelineContext {
    private final String nodeName;
    private final String pipelineName;
    private final Metrics metrics;
    private final PeerSet peers;
    private final List<Cidr> excludedNetworks;
    private final System.Logger logger;

    /** A pipeline's context (or the peer providers', with pipeline ""): it logs as the pipeline does. */
    RuntimeContext(String nodeName, String pipelineName, Metrics metrics, PeerSet peers, List<Cidr> excludedNetworks) {
        this(nodeName, pipelineName, metrics, peers, List.copyOf(excludedNetworks), Pipeline.class.getName());
    }

    private RuntimeContext(String nodeName, String pipelineName, Metrics metrics, PeerSet peers, List<Cidr> excludedNetworks,
                           String loggerName) {
        this.nodeName = nodeName;
        this.pipelineName = pipelineName;
        this.metrics = metrics;
        this.peers = peers;
        this.excludedNetworks = excludedNetworks;
        this.logger = System.getLogger(loggerName);
    }

    /**
     * This context for one component: the same everything, and the logger the naming rule gives it.
     *
     * @param kind one of {@link PluginRegistry#SOURCE}, {@code FILTER}, {@code SINK}, {@code PEERS}
     */
    RuntimeContext forComponent(String kind, String label) {
        return new RuntimeContext(nodeName, pipelineName, metrics, peers, excludedNetworks, loggerName(kind, pipelineName, label));
    }

    /**
     * The one naming rule for components' loggers: {@code dev.pmtud.<kind>.<pipeline>.<label>}, or
     * {@code dev.pmtud.peers.<label>} for what every pipeline shares (pipeline "").
     */
    static String loggerName(String kind, String pipeline, String label) {
        return "dev.pmtud." + kind + (pipeline.isEmpty() ? "" : "." + pipeline) + "." + label;
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
    public System.Logger logger() {
        return logger;
    }
}
