package dev.pmtud.it;

import dev.pmtud.testkit.Netns;

/**
 * A routed cluster (BGP, L3 to the rack): no shared L2 between nodes, every node on its own subnet
 * behind the router, strict reverse-path filtering on the nodes. What it shares with the ECMP
 * cluster (client, router, VIP routing, pod) is {@link ClusterLab}.
 *
 * <pre>
 *  client ──eth0 (mtu 9000)── cl0 (mtu 1400) router r1 192.0.2.17/28, 2001:db8:2:1::1 ── eth0 node1 192.0.2.18, 2001:db8:2:1::2   pod behind DNAT
 *  198.51.100.2               198.51.100.1          r2 192.0.2.33/28, 2001:db8:2:2::1 ── eth0 node2 192.0.2.34, 2001:db8:2:2::2
 *  2001:db8:1::2              2001:db8:1::1         r3 192.0.2.49/28, 2001:db8:2:3::1 ── eth0 node3 192.0.2.50, 2001:db8:2:3::2
 *                                                   (all mtu 9000; VIP on every node's lo; rp_filter=1 on the nodes)
 * </pre>
 *
 * l2 replication cannot work here (no node shares a segment with another), and an {@code l3}
 * replica needs a ttl of at least 2 to cross the router.
 */
public final class RoutedLab extends ClusterLab {
    /** Every node subnet is a /28 inside these, so one exclusion covers all nodes. */
    public static final String NODES_NET4 = "192.0.2.0/24";
    public static final String NODES_NET6 = "2001:db8:2::/48";

    /**
     * Node n's address is the second of 192.0.2.16n/28 and {@code ::2} of 2001:db8:2:n::/64; an l3
     * replica crosses the router (ttl 10, the Kubernetes base's value, leaves room to spare).
     */
    public static final ClusterPlan PLAN = new ClusterPlan("routed", NODES_NET4, NODES_NET6, 10,
            (f, n) -> f == Family.V4 ? "192.0.2." + (16 * n + 2) : "2001:db8:2:" + n + "::2");

    private RoutedLab() {
        super(PLAN);
    }

    public static RoutedLab create() {
        return build(new RoutedLab());
    }

    /** The router's address on node n's subnet: its first. */
    public static String routerAddressTo(Family f, int n) {
        return f == Family.V4 ? "192.0.2." + (16 * n + 1) : "2001:db8:2:" + n + "::1";
    }

    private static String prefix(Family f) {
        return f == Family.V4 ? "/28" : "/64";
    }

    @Override
    protected String routerDeviceTo(int n) {
        return "r" + n;
    }

    @Override
    protected void connectNodes() {
        for (int i = 1; i <= NODES; i++) {
            Netns node = node(i);
            Netns.veth(router, routerDeviceTo(i), node, UPLINK);
            router.exec("ip", "link", "set", routerDeviceTo(i), "mtu", String.valueOf(NODE_MTU));
            node.exec("ip", "link", "set", UPLINK, "mtu", String.valueOf(NODE_MTU));
            // strict reverse-path filtering, as on a routed cluster's nodes (the effective value is the
            // maximum of "all" and the interface's own, so both are set)
            sysctls(node, "net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.default.rp_filter=1",
                    "net.ipv4.conf." + UPLINK + ".rp_filter=1");
            for (Family f : Family.values()) {
                execOmittingNulls(router, "ip", f.ip(), "addr", "add", routerAddressTo(f, i) + prefix(f), "dev", routerDeviceTo(i), nodad(f));
                execOmittingNulls(node, "ip", f.ip(), "addr", "add", nodeAddress(f, i) + prefix(f), "dev", UPLINK, nodad(f));
                node.exec("ip", f.ip(), "route", "add", "default", "via", routerAddressTo(f, i));
            }
        }
    }
}
