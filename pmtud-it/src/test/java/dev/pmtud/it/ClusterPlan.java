package dev.pmtud.it;

import java.util.function.BiFunction;

/**
 * The addressing of a lab's nodes, apart from the namespaces: what a configuration generator
 * ({@link PmtudSetup}) needs, so that it can be checked without root.
 *
 * @param kind       what kind of cluster this is, for messages: {@code ecmp} or {@code routed}
 * @param nodesNet4  the range every node's IPv4 address is in: what pmtud excludes, because replicas come from there
 * @param nodesNet6  the same for IPv6
 * @param l3Ttl      the raw sink's ttl in {@code l3} mode: enough hops from one node to another
 * @param addressing node n's address on its uplink, by family and n (1-based)
 */
public record ClusterPlan(String kind, String nodesNet4, String nodesNet6, int l3Ttl, BiFunction<Family, Integer, String> addressing) {

    public String nodeAddress(Family f, int n) {
        return addressing.apply(f, n);
    }

    public String nodesNet(Family f) {
        return f == Family.V4 ? nodesNet4 : nodesNet6;
    }
}
