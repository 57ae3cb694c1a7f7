package dev.pmtud.api;

import java.util.List;

/** What the runtime offers every component it creates. */
public interface PipelineContext {

    /** This node's name (the {@code node:} key), used as a metric label and in logs. */
    String nodeName();

    Metrics metrics();

    /** The current peers, merged from every provider, without this node's own addresses. */
    PeerSet peers();

    /**
     * Source networks whose messages are never replicated: the union of every exclude-networks
     * filter and the managed rule's exclusions. Sinks use it to refuse configurations that loop.
     */
    List<Cidr> excludedNetworks();

    /** A logger for the named component; debug level carries one line per decision. */
    System.Logger logger(String component);
}
