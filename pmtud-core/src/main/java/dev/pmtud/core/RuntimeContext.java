package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.core.peers.MergedPeerSet;
import java.util.List;

/**
 * What every component the runtime creates gets: node name, its pipeline's name, metrics tagged
 * for that pipeline, the shared peers, cluster addresses and exclusions, and its own logger. One per pipeline, and
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
    private final MergedPeerSet mergedClusterAddresses;
    private final PeerSet clusterAddresses;
    private final List<Cidr> excludedNetworks;
    private final System.Logger logger;

    /**
     * A pipeline's context (or the providers', with pipeline ""): it logs as the pipeline does.
     *
     * @param clusterAddresses {@code null} when no {@code cluster.addresses} provider is configured:
     *                         components then get {@link PeerSet#NONE}
     */
    RuntimeContext(String nodeName, String pipelineName, MicrometerMetrics metrics, MergedPeerSet peers,
                   MergedPeerSet clusterAddresses, List<Cidr> excludedNetworks) {
        this(nodeName, pipelineName, metrics, peers, peers, clusterAddresses, clusterAddresses == null ? PeerSet.NONE : clusterAddresses,
                List.copyOf(excludedNetworks), Pipeline.class.getName());
    }

    private RuntimeContext(String nodeName, String pipelineName, MicrometerMetrics metrics, MergedPeerSet merged, PeerSet peers,
                           MergedPeerSet mergedClusterAddresses, PeerSet clusterAddresses, List<Cidr> excludedNetworks,
                           String loggerName) {
        this.nodeName = nodeName;
        this.pipelineName = pipelineName;
        this.metrics = metrics;
        this.merged = merged;
        this.peers = peers;
        this.mergedClusterAddresses = mergedClusterAddresses;
        this.clusterAddresses = clusterAddresses;
        this.excludedNetworks = excludedNetworks;
        this.logger = System.getLogger(loggerName);
    }

    /**
     * This context for one component: the same node, pipeline, peers, cluster addresses and
     * exclusions; the logger the naming rule gives it; its own meter ledger and listeners.
     *
     * @param kind one of {@link PluginRegistry#SOURCE}, {@code FILTER}, {@code SINK}, {@code PEERS},
     *             or {@link #CLUSTER_ADDRESSES} for a provider of {@code cluster.addresses}
     */
    RuntimeContext forComponent(String kind, String label) {
        RuntimeContext own = new RuntimeContext(nodeName, pipelineName, metrics.forComponent(), merged, new ComponentPeers(merged),
                mergedClusterAddresses, mergedClusterAddresses == null ? PeerSet.NONE : new ComponentPeers(mergedClusterAddresses),
                excludedNetworks,
                loggerName(kind, pipelineName, label));
        if (metrics.staging() != null) {
            metrics.staging().contextCreated(own);
        }
        return own;
    }

    /** The kind of a {@code cluster.addresses} provider, for its logger: {@code dev.pmtud.cluster-addresses.<label>}. */
    static final String CLUSTER_ADDRESSES = "cluster-addresses";

    /** What the component holds in shared places, let go when a reload removes it: its peer and cluster-address listeners. */
    void detach() {
        if (peers instanceof ComponentPeers own) {
            own.detach();
        }
        if (clusterAddresses instanceof ComponentPeers own) {
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
    public PeerSet clusterAddresses() {
        return clusterAddresses;
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
