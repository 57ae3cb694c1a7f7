package dev.pmtud.it;

import dev.pmtud.testkit.Netns;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PMTU black hole behind ECMP, built in network namespaces. The one rig used by the end-to-end
 * tests and by {@code scripts/demo.sh} ({@link EcmpDemo}).
 *
 * <pre>
 *  client ──eth0 (mtu 9000)──── cl0 (mtu 1400) router br0 (mtu 9000) ──┬── eth0 node1   VIP on lo
 *  198.51.100.2                 198.51.100.1     192.0.2.1             ├── eth0 node2   VIP on lo
 *  2001:db8:1::2                2001:db8:1::1    2001:db8:2::1         └── eth0 node3   VIP on lo
 *                                                                           192.0.2.1N, 2001:db8:2::1N
 * </pre>
 *
 * The router sends the client's TCP traffic for the VIP to node 1 (main table) but ICMP for the VIP
 * to node 2 ({@code ip rule add ipproto icmp to VIP lookup 100}): the deterministic version of an
 * ECMP hash that puts the error on the wrong node. Its ICMP errors leave from its client-side
 * address (route {@code src}), outside the nodes' range, as a real router's would.
 */
public final class EcmpLab implements AutoCloseable {
    public static final String VIP4 = "203.0.113.10";
    public static final String VIP6 = "2001:db8:100::10";
    public static final String CLIENT4 = "198.51.100.2";
    public static final String CLIENT6 = "2001:db8:1::2";
    public static final String ROUTER_CLIENT_SIDE4 = "198.51.100.1";
    public static final String ROUTER_CLIENT_SIDE6 = "2001:db8:1::1";
    public static final String ROUTER_NODE_SIDE4 = "192.0.2.1";
    public static final String ROUTER_NODE_SIDE6 = "2001:db8:2::1";
    /** The nodes' range: what every node's pmtud excludes (replicas come from here). */
    public static final String NODES_NET4 = "192.0.2.0/24";
    public static final String NODES_NET6 = "2001:db8:2::/64";
    public static final int CLIENT_MTU = 9000;
    public static final int BOTTLENECK_MTU = 1400;
    public static final int NODE_MTU = 9000;
    public static final int NODES = 3;
    /** Node (1-based) that owns the TCP connections. */
    public static final int OWNER = 1;
    /** Node (1-based) that the router sends the ICMP errors to. */
    public static final int ICMP_TARGET = 2;
    private static final int ICMP_TABLE = 100;
    /** Node 1 sends {@link BulkTransfer#BULK_SIZE} bytes on connect here. */
    public static final int BULK_PORT = 5001;
    /** ... and {@link #SMALL_SIZE} bytes here: small segments pass the bottleneck (control). */
    public static final int SMALL_PORT = 5002;
    public static final int SMALL_SIZE = 1000;
    /** How long the client waits before calling a transfer stalled. */
    public static final java.time.Duration STALL_LIMIT = java.time.Duration.ofSeconds(4);

    public enum Family {
        V4, V6;

        public String vip() {
            return this == V4 ? VIP4 : VIP6;
        }

        public String client() {
            return this == V4 ? CLIENT4 : CLIENT6;
        }

        public String routerIcmpSource() {
            return this == V4 ? ROUTER_CLIENT_SIDE4 : ROUTER_CLIENT_SIDE6;
        }

        public String nodesNet() {
            return this == V4 ? NODES_NET4 : NODES_NET6;
        }

        public String node(int n) {
            return EcmpLab.nodeAddress(this, n);
        }

        String ip() {
            return this == V4 ? "-4" : "-6";
        }
    }

    private final List<Netns> all = new ArrayList<>();
    public final Netns client;
    public final Netns router;
    public final List<Netns> nodes = new ArrayList<>();

    public static String nodeAddress(Family f, int n) {
        return f == Family.V4 ? "192.0.2.1" + n : "2001:db8:2::1" + n;
    }

    /** Builds the whole scenario; on any failure whatever was created is removed again. */
    public static EcmpLab create() {
        EcmpLab lab = new EcmpLab();
        try {
            lab.build();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    private EcmpLab() {
        client = track(Netns.create("client"));
        router = track(Netns.create("router"));
        for (int i = 1; i <= NODES; i++) {
            nodes.add(track(Netns.create("node" + i)));
        }
    }

    private Netns track(Netns ns) {
        all.add(ns);
        return ns;
    }

    public Netns node(int n) {
        return nodes.get(n - 1);
    }

    private void build() {
        for (Netns ns : all) {
            sysctls(ns,
                    "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                    // no black-hole detection by probing: the only way out is a learned PMTU
                    "net.ipv4.tcp_mtu_probing=0", "net.ipv4.ip_no_pmtu_disc=0",
                    "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                    "net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0");
        }
        // client
        Netns.veth(client, "eth0", router, "cl0");
        client.exec("ip", "link", "set", "eth0", "mtu", String.valueOf(CLIENT_MTU));
        client.exec("ip", "addr", "add", CLIENT4 + "/24", "dev", "eth0");
        client.exec("ip", "-6", "addr", "add", CLIENT6 + "/64", "dev", "eth0", "nodad");
        client.exec("ip", "route", "add", "default", "via", ROUTER_CLIENT_SIDE4);
        client.exec("ip", "-6", "route", "add", "default", "via", ROUTER_CLIENT_SIDE6);

        // router
        sysctls(router, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        router.exec("ip", "link", "set", "cl0", "mtu", String.valueOf(BOTTLENECK_MTU));
        router.exec("ip", "addr", "add", ROUTER_CLIENT_SIDE4 + "/24", "dev", "cl0");
        router.exec("ip", "-6", "addr", "add", ROUTER_CLIENT_SIDE6 + "/64", "dev", "cl0", "nodad");
        router.exec("ip", "link", "add", "br0", "type", "bridge");
        for (int i = 1; i <= NODES; i++) {
            Netns node = node(i);
            sysctls(node,
                    // the VIP lives on lo: never answer or announce it on the bridge
                    "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                    "net.ipv4.conf.default.arp_ignore=1", "net.ipv4.conf.default.arp_announce=2");
            Netns.veth(router, "n" + i, node, "eth0");
            router.exec("ip", "link", "set", "n" + i, "mtu", String.valueOf(NODE_MTU));
            router.exec("ip", "link", "set", "n" + i, "master", "br0");
            node.exec("ip", "link", "set", "eth0", "mtu", String.valueOf(NODE_MTU));
            node.exec("ip", "addr", "add", nodeAddress(Family.V4, i) + "/24", "dev", "eth0");
            node.exec("ip", "-6", "addr", "add", nodeAddress(Family.V6, i) + "/64", "dev", "eth0", "nodad");
            node.exec("ip", "addr", "add", VIP4 + "/32", "dev", "lo");
            node.exec("ip", "-6", "addr", "add", VIP6 + "/128", "dev", "lo");
            node.exec("ip", "route", "add", "default", "via", ROUTER_NODE_SIDE4);
            node.exec("ip", "-6", "route", "add", "default", "via", ROUTER_NODE_SIDE6);
        }
        router.exec("ip", "link", "set", "br0", "mtu", String.valueOf(NODE_MTU));
        router.exec("ip", "link", "set", "br0", "up");
        router.exec("ip", "addr", "add", ROUTER_NODE_SIDE4 + "/24", "dev", "br0");
        router.exec("ip", "-6", "addr", "add", ROUTER_NODE_SIDE6 + "/64", "dev", "br0", "nodad");
        for (Family f : Family.values()) {
            String owner = nodeAddress(f, OWNER);
            String icmpTarget = nodeAddress(f, ICMP_TARGET);
            // TCP (everything) to the owner; the router's own ICMP errors for the VIP to node 2,
            // sent from the client-side address: outside the nodes' range
            router.exec("ip", f.ip(), "route", "add", f.vip(), "via", owner, "dev", "br0", "src", f.routerIcmpSource());
            router.exec("ip", f.ip(), "route", "add", f.vip(), "via", icmpTarget, "dev", "br0", "src", f.routerIcmpSource(),
                    "table", String.valueOf(ICMP_TABLE));
            router.exec("ip", f.ip(), "rule", "add", "ipproto", f == Family.V4 ? "icmp" : "ipv6-icmp", "to", f.vip(),
                    "lookup", String.valueOf(ICMP_TABLE), "priority", "100");
        }
        flushRouteCaches();
    }

    /** Forgets every learned PMTU on every node (fresh start for the next variant). */
    public void flushRouteCaches() {
        for (Netns n : nodes) {
            n.execAllowingFailure("ip", "route", "flush", "cache");
            n.execAllowingFailure("ip", "-6", "route", "flush", "cache");
        }
    }

    private static void sysctls(Netns ns, String... settings) {
        List<String> cmd = new ArrayList<>(List.of("sysctl", "-q", "-w"));
        cmd.addAll(List.of(settings));
        ns.exec(cmd.toArray(String[]::new));
    }

    /** Node {@code n}'s {@code ip route get <client>}, joined on one line. */
    public String routeToClient(int n, Family f) {
        return node(n).exec("ip", f.ip(), "route", "get", f.client()).stdout().replaceAll("\\s+", " ").trim();
    }

    /**
     * ICMP "fragmentation needed" (v4) or "packet too big" (v6) messages node {@code n}'s kernel has
     * received so far (from {@code /proc/net/snmp}, which is per namespace).
     */
    public long icmpErrorsReceived(int n, Family f) {
        if (f == Family.V4) {
            // "Icmp: InMsgs InErrors InCsumErrors InDestUnreachs ..." header line, then values
            String[] lines = node(n).exec("cat", "/proc/net/snmp").stdout().split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                if (lines[i].startsWith("Icmp:") && lines[i + 1].startsWith("Icmp:")) {
                    List<String> names = List.of(lines[i].split("\\s+"));
                    String[] values = lines[i + 1].split("\\s+");
                    return Long.parseLong(values[names.indexOf("InDestUnreachs")]);
                }
            }
            throw new IllegalStateException("no Icmp line in /proc/net/snmp");
        }
        for (String line : node(n).exec("cat", "/proc/net/snmp6").stdout().split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals("Icmp6InPktTooBigs")) {
                return Long.parseLong(kv[1]);
            }
        }
        throw new IllegalStateException("no Icmp6InPktTooBigs in /proc/net/snmp6");
    }

    private static final Pattern MTU = Pattern.compile("\\bmtu (\\d+)");

    /** The learned PMTU in a {@code ip route get} line, or -1 when it shows none. */
    public static int mtuOf(String routeLine) {
        Matcher m = MTU.matcher(routeLine);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    public static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    @Override
    public void close() {
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
    }
}
