package dev.pmtud.it;

import dev.pmtud.testkit.Netns;

/**
 * The ECMP cluster: every node on one bridge behind the router, one L2 segment. The one rig of the
 * ECMP end-to-end tests and of {@code scripts/demo.sh} ({@link EcmpDemo}).
 *
 * <pre>
 *  client ──eth0 (mtu 9000)──── cl0 (mtu 1400) router br0 (mtu 9000) ──┬── eth0 node1   VIP on lo, pod behind DNAT
 *  198.51.100.2                 198.51.100.1     192.0.2.1             ├── eth0 node2   VIP on lo
 *  2001:db8:1::2                2001:db8:1::1    2001:db8:2::1         └── eth0 node3   VIP on lo
 *                                                                           192.0.2.1N, 2001:db8:2::1N
 * </pre>
 *
 * What it shares with the routed cluster (client, router, VIP routing, pod) is {@link ClusterLab}.
 */
public final class EcmpLab extends ClusterLab {
    public static final String ROUTER_NODE_SIDE4 = "192.0.2.1";
    public static final String ROUTER_NODE_SIDE6 = "2001:db8:2::1";
    /** The nodes' range: what every node's pmtud excludes (replicas come from here). */
    public static final String NODES_NET4 = "192.0.2.0/24";
    public static final String NODES_NET6 = "2001:db8:2::/64";

    /** Node n is 192.0.2.1n and 2001:db8:2::1n on the one segment; a replica never crosses a router (ttl 1). */
    public static final ClusterPlan PLAN = new ClusterPlan("ecmp", NODES_NET4, NODES_NET6, 1,
            (f, n) -> f == Family.V4 ? "192.0.2.1" + n : "2001:db8:2::1" + n);

    private EcmpLab() {
        super(PLAN);
    }

    public static EcmpLab create() {
        return build(new EcmpLab());
    }

    @Override
    protected String routerDeviceTo(int n) {
        return "br0";
    }

    @Override
    protected void connectNodes() {
        router.exec("ip", "link", "add", "br0", "type", "bridge");
        for (int i = 1; i <= NODES; i++) {
            Netns node = node(i);
            Netns.veth(router, "n" + i, node, UPLINK);
            router.exec("ip", "link", "set", "n" + i, "mtu", String.valueOf(NODE_MTU));
            router.exec("ip", "link", "set", "n" + i, "master", "br0");
            node.exec("ip", "link", "set", UPLINK, "mtu", String.valueOf(NODE_MTU));
            node.exec("ip", "addr", "add", nodeAddress(Family.V4, i) + "/24", "dev", UPLINK);
            node.exec("ip", "-6", "addr", "add", nodeAddress(Family.V6, i) + "/64", "dev", UPLINK, "nodad");
            node.exec("ip", "route", "add", "default", "via", ROUTER_NODE_SIDE4);
            node.exec("ip", "-6", "route", "add", "default", "via", ROUTER_NODE_SIDE6);
        }
        router.exec("ip", "link", "set", "br0", "mtu", String.valueOf(NODE_MTU));
        router.exec("ip", "link", "set", "br0", "up");
        router.exec("ip", "addr", "add", ROUTER_NODE_SIDE4 + "/24", "dev", "br0");
        router.exec("ip", "-6", "addr", "add", ROUTER_NODE_SIDE6 + "/64", "dev", "br0", "nodad");
    }
}
