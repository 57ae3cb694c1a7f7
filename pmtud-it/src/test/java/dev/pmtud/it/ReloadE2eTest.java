package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.FrameSender;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/pmtud run} reloading on a real SIGHUP, with real sockets: the NFLOG source and its
 * managed nftables rule, the udp sink (bare packets) to peers listening on UDP sockets in another
 * namespace, frag-needed frames sent on the wire. One rig, one daemon, in order: a peer added by a
 * reload receives while a steady stream crosses the reload without a loss (the same NFLOG socket,
 * never re-bound) and dedup keeps its entries; a broken file is refused while the running pipeline
 * keeps relaying; a changed NFLOG group, then changed exclusions, take the managed rule with them,
 * and the reloaded rule's watch puts it back when deleted, counting into the same series.
 */
@Tag("netns")
class ReloadE2eTest {
    private static final int NODE = 1;
    private static final int PORT = 4390;
    private static final String P1 = "192.0.2.2";
    private static final String P2 = "192.0.2.3";
    /** Messages sent, one a millisecond, while the daemon reloads. */
    private static final int STREAM = 1500;
    private static final Duration AWAIT = Duration.ofSeconds(30);

    private static String config(int group, List<String> peers, String extraSink) {
        return config(group, peers, extraSink, "");
    }

    /** @param ruleKeys more keys of the {@code rules:} block, like {@code , exclude-sources: [...]} */
    private static String config(int group, List<String> peers, String extraSink, String ruleKeys) {
        return String.join("\n",
                "node: node" + NODE,
                "metrics: { listen: \"127.0.0.1:" + PmtudDaemon.metricsPort(NODE) + "\" }",
                "peers: [ { type: static, addresses: [" + String.join(", ", peers) + "] } ]",
                "sources: [ { type: nflog, group: " + group + " } ]",
                "filters: [ { type: dedup, window: 1h } ]",
                "sinks:",
                "  - { type: udp, port: " + PORT + " }",
                extraSink,
                "rules: { manage: true, backend: nftables, interface: eth0" + ruleKeys + " }",
                "");
    }

    /** The outer sources of the relayed packets one peer's UDP socket received. */
    private static final class Peer implements AutoCloseable {
        final Set<String> from = ConcurrentHashMap.newKeySet();
        final DatagramSocket socket;
        final Thread reader;

        Peer(Netns ns, String address) throws Exception {
            socket = ns.call(() -> new DatagramSocket(new InetSocketAddress(address, PORT)));
            reader = new Thread(this::read, "peer-" + address);
            reader.start();
        }

        private void read() {
            byte[] buf = new byte[2048];
            DatagramPacket d = new DatagramPacket(buf, buf.length);
            try {
                while (true) {
                    socket.receive(d);
                    if (d.getLength() >= 20 && (buf[0] >> 4) == 4) { // the bare IPv4 packet: its outer source at 12..15
                        from.add((buf[12] & 0xff) + "." + (buf[13] & 0xff) + "." + (buf[14] & 0xff) + "." + (buf[15] & 0xff));
                    }
                }
            } catch (SocketException e) {
                // closed
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            socket.close();
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sends frag-needed messages from the peer's namespace onto the wire, to the node's eth0. */
    private record Wire(FrameSender tx, String nodeMac, String peerMac) {
        void send(Ptb message) throws Exception {
            tx.send(Frames.ethernet(nodeMac, peerMac, message.to("192.0.2.1").build()));
        }
    }

    /** The netlink port id that holds {@code group} in the namespace (/proc/net/netfilter/nfnetlink_log), and its socket's inode. */
    private static String nflogSocket(Netns node, int group) {
        String portid = null;
        for (String line : node.exec("cat", "/proc/net/netfilter/nfnetlink_log").stdout().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 1 && f[0].equals(String.valueOf(group))) {
                portid = f[1];
            }
        }
        if (portid == null) {
            return "group " + group + " unbound";
        }
        for (String line : node.exec("cat", "/proc/net/netlink").stdout().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 10 && f[1].equals("12") && f[2].equals(portid)) {
                return "port id " + portid + ", inode " + f[9];
            }
        }
        return "port id " + portid + ", no socket";
    }

    @Test
    void sighupReloadsPeersKeepsTheSourceBoundRefusesABrokenFileAndMovesTheRule(@TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        try (Netns node = Netns.create("node"); Netns peerNs = Netns.create("peer")) {
            Netns.veth(node, "eth0", peerNs, "eth0");
            node.exec("ip", "addr", "add", "192.0.2.1/24", "dev", "eth0");
            peerNs.exec("ip", "addr", "add", P1 + "/24", "dev", "eth0");
            peerNs.exec("ip", "addr", "add", P2 + "/24", "dev", "eth0");
            String nodeMac = node.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
            String peerMac = peerNs.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
            try (Peer p1 = new Peer(peerNs, P1); Peer p2 = new Peer(peerNs, P2);
                 FrameSender tx = peerNs.call(() -> FrameSender.open("eth0"));
                 PmtudDaemon d = PmtudDaemon.start(node, NODE, config(33, List.of(P1), ""), dir)) {
                Wire wire = new Wire(tx, nodeMac, peerMac);
                d.awaitReady(Duration.ofSeconds(60));
                wire.send(Ptb.v4().from("203.0.113.1"));
                Await.until(AWAIT, () -> "p1 to receive the first message; log:\n" + d.logText(), () -> p1.from.contains("203.0.113.1"));
                String socket = nflogSocket(node, 33);
                assertTrue(socket.startsWith("port id "), socket);

                // A peer added while a steady stream arrives: not one message lost, the same socket throughout.
                d.rewrite(config(33, List.of(P1, P2), ""));
                Thread stream = new Thread(() -> {
                    try {
                        for (int i = 0; i < STREAM; i++) {
                            wire.send(Ptb.v4().from("198.51.100." + (1 + i % 250)).tcp("192.0.2.1", 443, "198.51.100.200", 20000 + i));
                            if (i == STREAM / 4) {
                                d.sighup();
                            }
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the pace of the stream
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "stream");
                stream.start();
                stream.join(TimeUnit.SECONDS.toMillis(60));
                Await.until(AWAIT, () -> "the reload; log:\n" + d.logText(), () -> reloads(d, "ok") == 1);
                Await.until(AWAIT, () -> "every message of the stream received: " + received(d) + "; log:\n" + d.logText(),
                        () -> received(d) == 1 + STREAM);
                assertEquals(0.0, d.metrics().sum("pmtud_source_lost_total"), "the kernel lost nothing");
                assertEquals(socket, nflogSocket(node, 33), "the same NFLOG socket holds the group");
                assertEquals(1, d.logText().lines().filter(l -> l.contains("NFLOG group 33 bound")).count(), "bound once: " + d.logText());
                assertTrue(d.logText().contains("sources kept [nflog], filters kept [dedup], sinks kept [udp]"), d.logText());

                wire.send(Ptb.v4().from("203.0.113.2"));
                Await.until(AWAIT, () -> "both peers to receive; log:\n" + d.logText(),
                        () -> p1.from.contains("203.0.113.2") && p2.from.contains("203.0.113.2"));
                double duplicates = dropped(d);
                wire.send(Ptb.v4().from("203.0.113.1"));
                Await.until(AWAIT, "the repeat of the first message dropped by the kept dedup", () -> dropped(d) == duplicates + 1);
                assertFalse(p2.from.contains("203.0.113.1"), "the repeat was not relayed");

                // A broken file: refused with its line, the running pipeline keeps relaying to both.
                d.rewrite(config(33, List.of(P1, P2), "  - { type: udp, pot: 4391 }"));
                d.sighup();
                Await.until(AWAIT, () -> "the refusal; log:\n" + d.logText(), () -> reloads(d, "invalid") == 1);
                assertTrue(d.logText().contains("reload refused, the running configuration stays: " + dir.resolve("pmtud-node1.yaml")
                        + ":8: sinks[1] (udp-2: udp): unknown key 'pot' (did you mean 'port'?)"), d.logText());
                assertTrue(d.logText().contains("     8 |   - { type: udp, pot: 4391 }"), d.logText());
                wire.send(Ptb.v4().from("203.0.113.3"));
                Await.until(AWAIT, "both peers to receive after the refusal",
                        () -> p1.from.contains("203.0.113.3") && p2.from.contains("203.0.113.3"));

                // Another NFLOG group: the source is replaced and the managed rule follows it.
                d.rewrite(config(34, List.of(P1, P2), ""));
                d.sighup();
                Await.until(AWAIT, () -> "the group change; log:\n" + d.logText(), () -> reloads(d, "ok") == 2);
                String table = node.exec("nft", "list", "table", "inet", "pmtud").stdout();
                assertTrue(table.contains("log group 34") && !table.contains("log group 33"), table);
                assertTrue(nflogSocket(node, 33).equals("group 33 unbound"), nflogSocket(node, 33));
                wire.send(Ptb.v4().from("203.0.113.4"));
                Await.until(AWAIT, () -> "both peers to receive through group 34; log:\n" + d.logText(),
                        () -> p1.from.contains("203.0.113.4") && p2.from.contains("203.0.113.4"));

                // Excluded sources changed, same group: the rule is replaced; what it now skips is no longer captured.
                d.rewrite(config(34, List.of(P1, P2), "", ", exclude-sources: [203.0.113.128/25]"));
                d.sighup();
                Await.until(AWAIT, () -> "the exclusion change; log:\n" + d.logText(), () -> reloads(d, "ok") == 3);
                String excluding = node.exec("nft", "list", "table", "inet", "pmtud").stdout();
                assertTrue(excluding.contains("ip saddr != 203.0.113.128/25 log group 34"), excluding);
                assertEquals(2, excluding.lines().filter(l -> l.contains("log group 34")).count(), "one rule per family, no leftover: " + excluding);
                double before = received(d);
                wire.send(Ptb.v4().from("203.0.113.200"));
                wire.send(Ptb.v4().from("203.0.113.5"));
                Await.until(AWAIT, "the message from outside the exclusion", () -> p1.from.contains("203.0.113.5"));
                assertEquals(before + 1, received(d), "the excluded source's message was not captured");
                assertFalse(p1.from.contains("203.0.113.200"));

                // The watch of the reloaded rule: a deletion is put back at once and counted in the series the first watch registered.
                assertEquals(0.0, metric(d, "pmtud_rules_outages_total", null), "no outage yet");
                node.exec("nft", "delete", "table", "inet", "pmtud");
                Await.until(AWAIT, () -> "the rule put back; log:\n" + d.logText(),
                        () -> node.execAllowingFailure("nft", "list", "table", "inet", "pmtud").stdout().contains("ip saddr != 203.0.113.128/25 log group 34"));
                Await.until(AWAIT, () -> "the outage counted; log:\n" + d.logText(), () -> metric(d, "pmtud_rules_outages_total", null) == 1);
                assertTrue(metric(d, "pmtud_rules_missing_seconds_total", null) > 0, "the window counted");

                assertEquals(0, d.stop(Duration.ofSeconds(30)), "clean exit on SIGTERM; log:\n" + d.logText());
                assertFalse(node.exec("nft", "list", "tables").stdout().contains("inet pmtud"), "table removed at stop; log:\n" + d.logText());
            }
        }
    }

    private static double reloads(PmtudDaemon d, String result) {
        return metric(d, "pmtud_config_reloads_total", result);
    }

    private static double received(PmtudDaemon d) {
        return metric(d, "pmtud_received_total", null);
    }

    private static double dropped(PmtudDaemon d) {
        return metric(d, "pmtud_dropped_total", null);
    }

    private static double metric(PmtudDaemon d, String name, String result) {
        try {
            return d.metrics().sum(name, l -> result == null || result.equals(l.get("result")));
        } catch (Exception e) {
            return -1;
        }
    }
}
