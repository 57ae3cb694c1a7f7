package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.core.peers.MergedPeerSet;
import java.util.List;

/**
 * What every component the runtime creates gets: node name, its pipeline's name, metrics tagged
 * for that pipeline, the shared peers and exclusions, and its own logger. One per pipeline, and
 * from it one per component ({@link #forComponent}), which differs in the logger's name and owns its
 * meters and peer listeners (so that a reload removing the component removes them). Peer
 * providers, shared by every pipeline, get one with node-level metrics and an empty pipeline name.
 */
final class RuntimeContext implements PipelineContext {
    private final String nodeName;
    private final String pipelineName;
    private final MicrometerMetrics metrics;
    private final MergedPeerSet merged;
    private final PeerSet peers;
    private final List<Cidr> excludedNetworks;
    private final System.Logger logger;

    /** A pipeline's context (or the peer providers', with pipeline ""): it logs as the pipeline does. */
    RuntimeContext(String nodeName, String pipelineName, MicrometerMetrics metrics, MergedPeerSet peers, List<Cidr> excludedNetworks) {
        this(nodeName, pipelineName, metrics, peers, peers, List.copyOf(excludedNetworks), Pipeline.class.getName());
    }

    private RuntimeContext(String nodeName, String pipelineName, MicrometerMetrics metrics, MergedPeerSet merged, PeerSet peers,
                           List<Cidr> excludedNetworks, String loggerName) {
        this.nodeName = nodeName;
        this.pipelineName = pipelineName;
        this.metrics = metrics;
        this.merged = merged;
        this.peers = peers;
        this.excludedNetworks = excludedNetworks;
        this.logger = System.getLogger(loggerName);
    }

    /**
     * This context for one component: the same node, pipeline, peers and exclusions; the logger the
     * naming rule gives it; its own meter ledger and peer listeners.
     *
     * @param kind one of {@link PluginRegistry#SOURCE}, {@code FILTER}, {@code SINK}, {@code PEERS}
     */
    RuntimeContext forComponent(String kind, String label) {
        RuntimeContext own = new RuntimeContext(nodeName, pipelineName, metrics.forComponent(), merged, new ComponentPeers(merged),
                excludedNetworks, loggerName(kind, pipelineName, label));
        if (metrics.staging() != null) {
            metrics.staging().contextCreated(own);
        }
        return own;
    }

    /** What the component holds in shared places, let go when a reload removes it: its peer listeners. */
    void detach() {
        if (peers instanceof ComponentPeers own) {
            own.detach();
        }
    }

    MeterLedger ledger() {
        return metrics.ledger();
    }

    MergedPeerSet mergedPeers() {
        return merged;
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
    public MicrometerMetrics metrics() {
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
