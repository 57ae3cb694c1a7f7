package dev.pmtud.api;

import java.util.List;

/** What the runtime offers every component it creates. */
public interface PipelineContext {

    /** The name of the pipeline that runs the component when it was created without a {@code pipelines:} list. */
    String SINGLE_PIPELINE = "main";

    /** This node's name (the {@code node:} key), used as a metric label and in logs. */
    String nodeName();

    /**
     * The name of the pipeline the component belongs to (its {@code name:} under {@code pipelines:},
     * {@value #SINGLE_PIPELINE} in the single-pipeline form). Peer providers, which every pipeline
     * shares, get the empty string.
     */
    default String pipelineName() {
        return SINGLE_PIPELINE;
    }

    /**
     * Metrics whose every series already carries the {@code node} label and, for a component of a
     * pipeline, the {@code pipeline} label: components add only their own labels.
     */
    Metrics metrics();

    /** The current peers, merged from every provider, without this node's own addresses. */
    PeerSet peers();

    /**
     * The cluster's own service addresses, merged from every provider of {@code cluster.addresses}
     * (like the Kubernetes Services' ClusterIPs, external and load-balancer IPs), this node's own
     * included. Filters read it (a message about a packet one of them sent is the cluster's);
     * sinks never replicate to it. Follows changes like {@link #peers()}; a listener added by a
     * component a reload removes is detached with it. {@link PeerSet#NONE} (compare with {@code ==})
     * when the node has no {@code cluster.addresses} providers, so that a filter can tell that the set
     * will stay empty; also the default, for contexts built without a runtime (tests, older embedders).
     */
    default PeerSet clusterAddresses() {
        return PeerSet.NONE;
    }

    /**
     * The cluster's own networks, whose messages are never replicated (a message from there is a
     * copy from a peer): {@code cluster.networks}, the networks filters of any pipeline exclude
     * ({@link FilterFactory#excludedNetworks}, e.g. an exclude-networks filter's own
     * {@code networks:}) and what the application adds (the managed capture rule's
     * {@code exclude-sources}). The same list for every component; sinks use it to refuse
     * configurations that loop.
     */
    List<Cidr> excludedNetworks();

    /**
     * The component's logger, named by the runtime after what it is:
     * {@code dev.pmtud.<kind>.<pipeline>.<label>}, where kind is {@code source}, {@code filter},
     * {@code sink} or {@code peers} and the label is the component's {@code name:} (default its type).
     * The pipeline is part of it because labels are unique only within a pipeline; peer providers,
     * which every pipeline shares, are {@code dev.pmtud.peers.<label>}. So a component never names its
     * own logger, and one line in the logging configuration reaches exactly one component.
     */
    System.Logger logger();

    /**
     * The component's logger, {@link #logger()}: the name is the runtime's to give, so
     * {@code component} is ignored.
     *
     * @deprecated use {@link #logger()}; kept for plugins built against the first API
     */
    @Deprecated
    default System.Logger logger(String component) {
        return logger();
    }
}
