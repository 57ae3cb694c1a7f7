package dev.pmtud.it;

/**
 * The addressing of a lab's nodes, apart from the namespaces: what a configuration generator
 * ({@link PmtudSetup}) needs, so that it can be checked without root.
 */
public interface ClusterPlan {
    /** What kind of cluster this is, for messages: {@code ecmp} or {@code routed}. */
    String kind();

    /** Node {@code n}'s address on its uplink. */
    String nodeAddress(Family f, int n);

    /** The range every node address is in: what pmtud excludes, because replicas come from there. */
    String nodesNet(Family f);

    /** The raw sink's ttl in {@code l3} mode: enough hops from one node to another. */
    int l3Ttl();
}
