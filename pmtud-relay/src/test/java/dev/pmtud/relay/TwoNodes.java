package dev.pmtud.relay;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.PluginRegistry;
import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.Netns;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Two namespaces on one veth link: {@code node} (192.0.2.1, 2001:db8::1, strict rp_filter) receives,
 * {@code peer} (192.0.2.2, 2001:db8::2, and 192.0.2.3, which is not a peer) sends. The node runs a
 * real pipeline (core runtime, decoder, counters) built from a configuration tree.
 */
final class TwoNodes implements AutoCloseable {
    static final String NODE_V4 = "192.0.2.1";
    static final String NODE_V6 = "2001:db8::1";
    static final String PEER_V4 = "192.0.2.2";
    static final String PEER_V6 = "2001:db8::2";
    static final String STRANGER_V4 = "192.0.2.3";
    static final int PORT = 4390;
    static final String DEVICE = "pmtud0";

    final Netns node;
    final Netns peer;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private NodeRuntime pipeline;

    TwoNodes() {
        node = Netns.create("relay-node");
        try {
            peer = Netns.create("relay-peer");
            Netns.veth(node, "eth0", peer, "eth0");
            node.exec("ip", "addr", "add", NODE_V4 + "/24", "dev", "eth0");
            node.exec("ip", "addr", "add", NODE_V6 + "/64", "dev", "eth0", "nodad");
            peer.exec("ip", "addr", "add", PEER_V4 + "/24", "dev", "eth0");
            peer.exec("ip", "addr", "add", STRANGER_V4 + "/24", "dev", "eth0");
            peer.exec("ip", "addr", "add", PEER_V6 + "/64", "dev", "eth0", "nodad");
            // strict reverse-path filtering, as on the nodes of a routed cluster: the inject device must cope
            node.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1");
            node.exec("sysctl", "-qw", "net.ipv4.conf.default.rp_filter=1");
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Builds and starts, inside the node, the pipeline {@code udp source -> inject sink} with these source keys. */
    NodeRuntime start(Object... sourceKeysAndValues) throws Exception {
        Object[] source = new Object[sourceKeysAndValues.length + 2];
        source[0] = "listen";
        source[1] = "[::]:" + PORT;
        System.arraycopy(sourceKeysAndValues, 0, source, 2, sourceKeysAndValues.length);
        ConfigNode root = dev.pmtud.testkit.Cfg.map(1,
                "node", "relay-node",
                "peers", dev.pmtud.testkit.Cfg.list(2, dev.pmtud.testkit.Cfg.block(2, "static", "addresses", List.of(PEER_V4, PEER_V6))),
                "sources", dev.pmtud.testkit.Cfg.list(3, dev.pmtud.testkit.Cfg.block(3, "udp", source)),
                "sinks", dev.pmtud.testkit.Cfg.list(4, dev.pmtud.testkit.Cfg.block(4, "inject", "device", DEVICE)));
        NodeRuntime p = NodeRuntime.builder(root, PluginRegistry.discover(List.of(TwoNodes.class.getClassLoader())))
                .meterRegistry(meters).build();
        pipeline = p;
        node.call(() -> {
            p.start();
            return null;
        });
        return p;
    }

    /** A UDP socket in the peer namespace bound to {@code address}. */
    DatagramSocket peerSocket(String address) throws Exception {
        return peer.call(() -> new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0)));
    }

    /** A UDP socket in the node namespace bound to {@code address:port}. */
    DatagramSocket nodeSocket(String address, int port) throws Exception {
        DatagramSocket s = node.call(() -> new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), port)));
        s.setSoTimeout(10_000);
        return s;
    }

    static void send(DatagramSocket from, byte[] datagram, String to) throws Exception {
        from.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress(InetAddress.getByName(to), PORT)));
    }

    /** The inject device's RX packet counter, read in the node's namespace. */
    long deviceRx() {
        return Long.parseLong(node.exec("cat", "/sys/class/net/" + DEVICE + "/statistics/rx_packets").stdout().trim());
    }

    boolean deviceExists() {
        return node.execAllowingFailure("ip", "link", "show", DEVICE).exitCode() == 0;
    }

    double discarded(String reason) {
        return counter("pmtud_source_discarded_total", "reason", reason);
    }

    double counter(String name, String... tags) {
        Counter c = meters.find(name).tags(tags).counter();
        return c == null ? -1 : c.count();
    }

    @Override
    public void close() {
        try {
            if (pipeline != null) {
                pipeline.close();
            }
        } finally {
            try {
                peer.close();
            } finally {
                node.close();
            }
        }
    }

    /** The command's output, for failure messages. */
    String nodeLinks() {
        Cmd.Result r = node.execAllowingFailure("ip", "-s", "link", "show", DEVICE);
        return r.stdout() + r.stderr();
    }
}
