package dev.pmtud.it;

import dev.pmtud.testkit.Netns;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PMTU black hole in a cluster, built in network namespaces: what {@link EcmpLab} (nodes on one
 * bridge) and {@link RoutedLab} (every node on its own subnet behind the router) share. A subclass
 * says only how the router reaches the nodes.
 *
 * <pre>
 *  client ──eth0 (mtu 9000)──── cl0 (mtu 1400) router ── (bridge or one link per node) ── eth0 node1..3 (mtu 9000), VIP on lo
 *  198.51.100.2                 198.51.100.1                                            node1 ── vpod ═ eth0 pod (10.244.1.2)
 *  2001:db8:1::2                2001:db8:1::1                                           DNAT VIP:5011,5012 → pod
 * </pre>
 *
 * The router sends the client's TCP traffic for the VIP to node 1 (main table) but its own ICMP
 * errors for the VIP to node 2 ({@code ip rule add ipproto icmp to VIP lookup 100}): the
 * deterministic version of an ECMP hash that puts the error on the wrong node. Its errors leave
 * from its client-side address (route {@code src}), outside the nodes' ranges, as a real router's
 * would. Node 1 owns the connections twice over: a server on the node itself (a host socket on the
 * VIP) and one in its pod, reached through kube-proxy's DNAT of the VIP.
 */
public abstract class ClusterLab implements AutoCloseable {
    public static final String VIP4 = "203.0.113.10";
    public static final String VIP6 = "2001:db8:100::10";
    public static final String CLIENT4 = "198.51.100.2";
    public static final String CLIENT6 = "2001:db8:1::2";
    public static final String ROUTER_CLIENT_SIDE4 = "198.51.100.1";
    public static final String ROUTER_CLIENT_SIDE6 = "2001:db8:1::1";
    /** Node 1's pod: a private range, inside the namespaces only. */
    public static final String POD4 = "10.244.1.2";
    public static final String POD6 = "fd00:244:1::2";
    public static final String POD_GATEWAY4 = "10.244.1.1";
    public static final String POD_GATEWAY6 = "fd00:244:1::1";
    /** Every node's interface towards the router (and the one pmtud captures on). */
    public static final String UPLINK = "eth0";
    /** Node 1's end of its pod's veth. */
    public static final String POD_LINK = "vpod";
    public static final int CLIENT_MTU = 9000;
    public static final int BOTTLENECK_MTU = 1400;
    public static final int NODE_MTU = 9000;
    public static final int NODES = 3;
    /** Node (1-based) that owns the TCP connections (on the node, or in its pod). */
    public static final int OWNER = 1;
    /** Node (1-based) that the router sends the ICMP errors to. */
    public static final int ICMP_TARGET = 2;
    protected static final int ICMP_TABLE = 100;
    /** The 2 MB ({@link BulkTransfer#BULK_SIZE}) on connect: node 1 serves it here itself ... */
    public static final int BULK_PORT = 5001;
    /** ... and {@link #SMALL_SIZE} bytes here: small segments pass the bottleneck (control). */
    public static final int SMALL_PORT = 5002;
    /** The same two in node 1's pod, reached through the DNAT of VIP:port to pod:port. */
    public static final int POD_BULK_PORT = 5011;
    public static final int POD_SMALL_PORT = 5012;
    public static final int SMALL_SIZE = 1000;
    /** How long the client waits before calling a transfer stalled. */
    public static final Duration STALL_LIMIT = Duration.ofSeconds(4);

    /** Where the server that owns a connection runs. */
    public enum Owner {
        /** A socket on node 1 itself, bound to the VIP. */
        HOST("host", BULK_PORT, SMALL_PORT),
        /** A socket in node 1's pod, bound to the pod's address; the client still connects to the VIP. */
        POD("pod", POD_BULK_PORT, POD_SMALL_PORT);

        public final String text;
        public final int bulkPort;
        public final int smallPort;

        Owner(String text, int bulkPort, int smallPort) {
            this.text = text;
            this.bulkPort = bulkPort;
            this.smallPort = smallPort;
        }
    }

    private final List<Netns> all = new ArrayList<>();
    /** How the nodes are addressed. */
    public final ClusterPlan plan;
    public final Netns client;
    public final Netns router;
    public final List<Netns> nodes = new ArrayList<>();
    /** Node 1's pod. */
    public final Netns pod;

    protected ClusterLab(ClusterPlan plan) {
        this.plan = plan;
        client = track(Netns.create("client"));
        router = track(Netns.create("router"));
        for (int i = 1; i <= NODES; i++) {
            nodes.add(track(Netns.create("node" + i)));
        }
        pod = track(Netns.create("pod1"));
    }

    public String kind() {
        return plan.kind();
    }

    public String nodeAddress(Family f, int n) {
        return plan.nodeAddress(f, n);
    }

    /** Links the router and the nodes, addresses them and gives every node its default routes. */
    protected abstract void connectNodes();

    /** The router's interface towards node {@code n}. */
    protected abstract String routerDeviceTo(int n);

    /** Builds {@code lab}; on any failure whatever was created is removed again. */
    protected static <L extends ClusterLab> L build(L lab) {
        try {
            ((ClusterLab) lab).buildAll();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    private Netns track(Netns ns) {
        all.add(ns);
        return ns;
    }

    public Netns node(int n) {
        return nodes.get(n - 1);
    }

    /** Where {@code owner}'s servers run: node 1 or its pod. */
    public Netns serverNamespace(Owner owner) {
        return owner == Owner.HOST ? node(OWNER) : pod;
    }

    /** The address {@code owner}'s servers bind to: the VIP on the node, the pod's own in the pod. */
    public static String serverAddress(Owner owner, Family f) {
        return owner == Owner.HOST ? f.vip() : f.pod();
    }

    private void buildAll() {
        for (Netns ns : all) {
            sysctls(ns,
                    "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                    // no black-hole detection by probing: the only way out is a learned PMTU
                    "net.ipv4.tcp_mtu_probing=0", "net.ipv4.ip_no_pmtu_disc=0",
                    "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                    "net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0");
        }
        Netns.veth(client, "eth0", router, "cl0");
        client.exec("ip", "link", "set", "eth0", "mtu", String.valueOf(CLIENT_MTU));
        client.exec("ip", "addr", "add", CLIENT4 + "/24", "dev", "eth0");
        client.exec("ip", "-6", "addr", "add", CLIENT6 + "/64", "dev", "eth0", "nodad");
        client.exec("ip", "route", "add", "default", "via", ROUTER_CLIENT_SIDE4);
        client.exec("ip", "-6", "route", "add", "default", "via", ROUTER_CLIENT_SIDE6);

        sysctls(router, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        router.exec("ip", "link", "set", "cl0", "mtu", String.valueOf(BOTTLENECK_MTU));
        router.exec("ip", "addr", "add", ROUTER_CLIENT_SIDE4 + "/24", "dev", "cl0");
        router.exec("ip", "-6", "addr", "add", ROUTER_CLIENT_SIDE6 + "/64", "dev", "cl0", "nodad");
        for (Netns node : nodes) {
            sysctls(node,
                    // the VIP lives on lo: never answer or announce it on a shared link
                    "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                    "net.ipv4.conf.default.arp_ignore=1", "net.ipv4.conf.default.arp_announce=2");
            node.exec("ip", "addr", "add", VIP4 + "/32", "dev", "lo");
            node.exec("ip", "-6", "addr", "add", VIP6 + "/128", "dev", "lo");
        }
        connectNodes();
        for (Family f : Family.values()) {
            // TCP (everything) to the owner; the router's own ICMP errors for the VIP to node 2,
            // sent from the client-side address: outside the nodes' range
            router.exec("ip", f.ip(), "route", "add", f.vip(), "via", nodeAddress(f, OWNER), "dev", routerDeviceTo(OWNER),
                    "src", f.routerIcmpSource());
            router.exec("ip", f.ip(), "route", "add", f.vip(), "via", nodeAddress(f, ICMP_TARGET), "dev", routerDeviceTo(ICMP_TARGET),
                    "src", f.routerIcmpSource(), "table", String.valueOf(ICMP_TABLE));
            router.exec("ip", f.ip(), "rule", "add", "ipproto", f.icmpProtocol(), "to", f.vip(), "lookup", String.valueOf(ICMP_TABLE),
                    "priority", "100");
        }
        buildPod();
        flushRouteCaches();
    }

    /**
     * Node 1's pod as a CNI plugin and kube-proxy would make it: a veth to the node, the pod's
     * default routes via the node, the node forwarding, and the DNAT of the VIP's pod ports.
     */
    private void buildPod() {
        Netns node = node(OWNER);
        sysctls(node, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        Netns.veth(node, POD_LINK, pod, "eth0");
        node.exec("ip", "link", "set", POD_LINK, "mtu", String.valueOf(NODE_MTU));
        pod.exec("ip", "link", "set", "eth0", "mtu", String.valueOf(NODE_MTU));
        for (Family f : Family.values()) {
            execOmittingNulls(node, "ip", f.ip(), "addr", "add", f.podGateway() + "/" + f.podPrefix(), "dev", POD_LINK, nodad(f));
            execOmittingNulls(pod, "ip", f.ip(), "addr", "add", f.pod() + "/" + f.podPrefix(), "dev", "eth0", nodad(f));
            pod.exec("ip", f.ip(), "route", "add", "default", "via", f.podGateway());
            for (int port : List.of(Owner.POD.bulkPort, Owner.POD.smallPort)) {
                node.exec(f.iptables(), "-t", "nat", "-A", "PREROUTING", "-d", f.vip(), "-p", "tcp", "--dport", String.valueOf(port),
                        "-j", "DNAT", "--to-destination", f.withPort(f.pod(), port));
            }
        }
    }

    /** {@code nodad} for IPv6 addresses (usable at once), null (nothing) for IPv4. */
    protected static String nodad(Family f) {
        return f == Family.V6 ? "nodad" : null;
    }

    /** Forgets every learned PMTU on every node and in the pod (a fresh start for the next case). */
    public void flushRouteCaches() {
        List<Netns> owners = new ArrayList<>(nodes);
        owners.add(pod);
        for (Netns n : owners) {
            n.execAllowingFailure("ip", "route", "flush", "cache");
            n.execAllowingFailure("ip", "-6", "route", "flush", "cache");
        }
    }

    protected static void sysctls(Netns ns, String... settings) {
        List<String> cmd = new ArrayList<>(List.of("sysctl", "-q", "-w"));
        cmd.addAll(List.of(settings));
        ns.exec(cmd.toArray(String[]::new));
    }

    /** Runs a command, leaving out null words (optional flags such as {@link #nodad}). */
    protected static void execOmittingNulls(Netns ns, String... words) {
        ns.exec(java.util.Arrays.stream(words).filter(java.util.Objects::nonNull).toArray(String[]::new));
    }

    /** {@code ip route get <client>} in {@code ns}, joined on one line. */
    public static String routeToClient(Netns ns, Family f) {
        return ns.exec("ip", f.ip(), "route", "get", f.client()).stdout().replaceAll("\\s+", " ").trim();
    }

    /** Node {@code n}'s route to the client. */
    public String routeToClient(int n, Family f) {
        return routeToClient(node(n), f);
    }

    /** The route to the client of whoever owns the connection: node 1, or its pod. */
    public String ownerRoute(Owner owner, Family f) {
        return routeToClient(serverNamespace(owner), f);
    }

    /**
     * ICMP "fragmentation needed" (v4: InDestUnreachs) or "packet too big" (v6: Icmp6InPktTooBigs)
     * messages node {@code n}'s kernel has received so far ({@code /proc/net/snmp*} is per namespace).
     */
    public long icmpErrorsReceived(int n, Family f) {
        return icmpErrorsReceived(node(n), f);
    }

    public static long icmpErrorsReceived(Netns ns, Family f) {
        if (f == Family.V4) {
            // "Icmp: InMsgs InErrors InCsumErrors InDestUnreachs ..." header line, then values
            String[] lines = ns.exec("cat", "/proc/net/snmp").stdout().split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                if (lines[i].startsWith("Icmp:") && lines[i + 1].startsWith("Icmp:")) {
                    List<String> names = List.of(lines[i].split("\\s+"));
                    String[] values = lines[i + 1].split("\\s+");
                    return Long.parseLong(values[names.indexOf("InDestUnreachs")]);
                }
            }
            throw new IllegalStateException("no Icmp line in /proc/net/snmp");
        }
        for (String line : ns.exec("cat", "/proc/net/snmp6").stdout().split("\n")) {
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
