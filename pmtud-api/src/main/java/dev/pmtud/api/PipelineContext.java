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
     * The cluster's own networks, whose messages are never replicated (a message from there is a
     * copy from a peer): {@code cluster.networks}, the networks filters of any pipeline exclude
     * ({@link FilterFactory#excludedNetworks}, e.g. an exclude-networks filter's own
     * {@code networks:}) and what the application adds (the managed capture rule's
     * {@code exclude-sources}). The same list for every component; sinks use it to refuse
     * configurations that loop.
     */
    List<Cidr> excludedNetworks();

    /** A logger for the named component; debug level carries one line per decision. */
    System.Logger logger(String component);
}
