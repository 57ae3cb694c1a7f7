package dev.pmtud.sink.raw;

import dev.pmtud.testkit.Netns;
import java.util.ArrayList;
import java.util.List;

/**
 * A bridge (in its own namespace) joining the replicating node and three peers, each on its
 * {@code eth0} with a fixed MAC, an IPv4 address in 192.0.2.0/24 and an IPv6 one in 2001:db8::/64.
 */
final class Lan implements AutoCloseable {
    static final String NODE_V4 = "192.0.2.1";
    static final String NODE_V6 = "2001:db8::1";
    static final String NODE_MAC = "02:00:00:00:00:01";

    final Netns bridge;
    final Netns node;
    final List<Netns> peers = new ArrayList<>();
    private final List<Netns> all = new ArrayList<>();

    static String peerV4(int i) {
        return "192.0.2." + (i + 2);
    }

    static String peerV6(int i) {
        return "2001:db8::" + (i + 2);
    }

    static String peerMac(int i) {
        return "02:00:00:00:00:0" + (i + 2);
    }

    Lan() {
        try {
            bridge = add(Netns.create("br"));
            bridge.exec("ip", "link", "add", "br0", "type", "bridge");
            bridge.exec("ip", "link", "set", "br0", "up");
            node = add(Netns.create("node"));
            join(node, "vnode", NODE_MAC, NODE_V4, NODE_V6);
            for (int i = 0; i < 3; i++) {
                Netns p = add(Netns.create("peer" + (i + 1)));
                peers.add(p);
                join(p, "vpeer" + (i + 1), peerMac(i), peerV4(i), peerV6(i));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens {@code sink} in the node's namespace, where its sockets then live. */
    void openOnNode(RawSink sink) throws Exception {
        node.call(() -> {
            sink.open();
            return null;
        });
    }

    /** Deletes the node's {@code eth0} (and with it its end on the bridge), as a driver reload or a CNI restart does. */
    void deleteNodeLink() {
        node.exec("ip", "link", "del", "eth0");
    }

    /** Creates the node's {@code eth0} again, as it was (MAC, addresses): a new interface index. */
    void createNodeLink() {
        join(node, "vnode", NODE_MAC, NODE_V4, NODE_V6);
    }

    /**
     * Makes the node's neighbour entries on {@code eth0} expire and be probed within about a second
     * instead of half a minute: reachable for 0.25-0.75 s, probed 0.5 s after going stale, three
     * probes 100 ms apart. Lets a test see a dead peer found out in seconds.
     */
    void fastNeighbourTimers() {
        for (String family : List.of("ipv4", "ipv6")) {
            String at = "net." + family + ".neigh.eth0.";
            node.exec("sysctl", "-q", "-w", at + "base_reachable_time_ms=500", at + "delay_first_probe_time=1",
                    at + "retrans_time_ms=100");
        }
    }

    /** Peer {@code i}'s {@code eth0} down ({@code up = false}), as a node that died; or up again. */
    void peerLink(int i, boolean up) {
        peers.get(i).exec("ip", "link", "set", "eth0", up ? "up" : "down");
    }

    /** The node's {@code eth0} index now. */
    int nodeLinkIndex() {
        return Integer.parseInt(node.exec("cat", "/sys/class/net/eth0/ifindex").stdout().strip());
    }

    private Netns add(Netns ns) {
        all.add(ns);
        return ns;
    }

    private void join(Netns ns, String bridgeSide, String mac, String v4, String v6) {
        Netns.veth(bridge, bridgeSide, ns, "eth0");
        bridge.exec("ip", "link", "set", bridgeSide, "master", "br0");
        ns.exec("ip", "link", "set", "eth0", "address", mac);
        ns.exec("ip", "addr", "add", v4 + "/24", "dev", "eth0");
        ns.exec("ip", "-6", "addr", "add", v6 + "/64", "dev", "eth0", "nodad");
    }

    @Override
    public void close() {
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
    }
}
