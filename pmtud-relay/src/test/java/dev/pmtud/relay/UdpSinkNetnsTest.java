package dev.pmtud.relay;

import static dev.pmtud.relay.TwoNodes.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PeerCounters;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The udp sink on real sockets: per family, per peer, never to itself, counted like the raw sink. */
@Tag("netns")
class UdpSinkNetnsTest {
    private static final int PORT_UNDER_TEST = PORT + 1;
    private static final String UNREACHABLE_V4 = "198.51.100.99";
    private static final String UNREACHABLE_V6 = "2001:db8:ffff::99";

    @TempDir
    Path dir;

    @Test
    void eachPeerOfThePacketsFamilyGetsOneSignedDatagramAndFailuresAreCountedPerPeer() throws Exception {
        Netns.assumeRoot();
        byte[] key = Relay.key(3);
        Path keyFile = Relay.keyFile(dir, "rw-------", key);
        try (TwoNodes rig = new TwoNodes();
             DatagramSocket at4 = rig.nodeSocket(NODE_V4, PORT_UNDER_TEST);
             DatagramSocket at6 = rig.nodeSocket(NODE_V6, PORT_UNDER_TEST)) {
            // the peer's own addresses are listed too (a provider's mistake) and must never be sent to
            TestContext ctx = new TestContext("relay-peer").withPeers(addresses(NODE_V4, UNREACHABLE_V4, PEER_V4, NODE_V6,
                    UNREACHABLE_V6, PEER_V6));
            UdpSink sink = open(rig, ctx, "key-file", keyFile.toString());
            try {
                assertEquals(0, failed(ctx, UNREACHABLE_V4), "pmtud_peer_send_failed_total exists at zero before any error");
                byte[] v4 = Ptb.v4().to(NODE_V4).mtu(1400).build();
                byte[] v6 = Ptb.v6().to(NODE_V6).mtu(1400).build();
                sink.send(packet(v4));
                sink.send(packet(v6));
                byte[] got4 = receive(at4);
                byte[] got6 = receive(at6);
                Verifier verifier = new Verifier(RelayKeys.of(key), 60_000_000_000L, new SeenSet(8));
                long now = WireFormat.wallClockNanos();
                assertEquals(Verifier.ACCEPTED, verifier.check(got4, 0, got4.length, now), "signed with the file's key");
                assertArrayEquals(v4, Arrays.copyOfRange(got4, 16, 16 + v4.length));
                assertEquals(Verifier.ACCEPTED, verifier.check(got6, 0, got6.length, now));
                assertArrayEquals(v6, Arrays.copyOfRange(got6, 16, 16 + v6.length));
                assertTrue(WireFormat.timestamp(got6, 0) > WireFormat.timestamp(got4, 0), "timestamps strictly increase");

                assertEquals(1, sent(ctx, NODE_V4));
                assertEquals(1, sent(ctx, NODE_V6));
                assertEquals(1, errors(ctx, UNREACHABLE_V4, "ENETUNREACH"), () -> ctx.metrics().toString());
                assertEquals(1, errors(ctx, UNREACHABLE_V6, "ENETUNREACH"), () -> ctx.metrics().toString());
                assertEquals(1, failed(ctx, UNREACHABLE_V4), "send_failed counts every errno's errors");
                assertEquals(1, failed(ctx, UNREACHABLE_V6));
                assertEquals(0, failed(ctx, NODE_V4), "and nothing for a peer that was reached");
                assertEquals(0, sent(ctx, UNREACHABLE_V4));
                assertFalse(ctx.metrics().has(PeerCounters.SENT, "node", "relay-peer", "sink", "udp", "peer", PEER_V4),
                        "no series for its own address: never sent to");
                assertFalse(ctx.metrics().has(PeerCounters.SENT, "node", "relay-peer", "sink", "udp", "peer", PEER_V6));

                // a new peer snapshot: the batches follow it
                ctx.setPeers(addresses(NODE_V6));
                sink.send(packet(v4));
                sink.send(packet(v6));
                receive(at6);
                assertEquals(1, sent(ctx, NODE_V4), "no longer a peer");
                assertEquals(2, sent(ctx, NODE_V6));
                at4.setSoTimeout(200);
                assertThrows(java.net.SocketTimeoutException.class, () -> receive(at4));

                // no peer of the family reachable: the sink says it is failing (health, /readyz), once, until one is again
                assertTrue(sink.health().ok(), sink.health().toString());
                assertEquals(0, ctx.metrics().count("pmtud_sink_outages_total", "sink", "udp"), "at zero from the start");
                ctx.setPeers(addresses(UNREACHABLE_V4, NODE_V6));
                sink.send(packet(v4));
                sink.send(packet(v4));
                assertFalse(sink.health().ok(), "no IPv4 message reached a peer");
                assertTrue(sink.health().problem().startsWith("nothing delivered (ENETUNREACH) since "), sink.health().problem());
                ctx.setPeers(addresses(UNREACHABLE_V4, NODE_V4));
                sink.send(packet(v4));
                receive(at4);
                assertTrue(sink.health().ok(), "one peer reached again: " + sink.health());
                assertEquals(1, ctx.metrics().count("pmtud_sink_outages_total", "sink", "udp"), "one outage counted");
                assertEquals(4, errors(ctx, UNREACHABLE_V4, "ENETUNREACH"), "and every failure per peer");
            } finally {
                sink.close();
            }
        }
    }

    @Test
    void aJumboMessageIsRelayedCutToWhatTheKernelNeedsSignedOrBare() throws Exception {
        Netns.assumeRoot();
        byte[] key = Relay.key(5);
        Path keyFile = Relay.keyFile(dir, "rw-------", key);
        try (TwoNodes rig = new TwoNodes();
             DatagramSocket at4 = rig.nodeSocket(NODE_V4, PORT_UNDER_TEST);
             DatagramSocket at6 = rig.nodeSocket(NODE_V6, PORT_UNDER_TEST)) {
            TestContext ctx = new TestContext("relay-peer").withPeers(addresses(NODE_V4, NODE_V6));
            byte[] v4 = Ptb.v4().to(NODE_V4).mtu(1400).size(9000).build();
            byte[] v6 = Ptb.v6().to(NODE_V6).mtu(1400).size(9000).build();
            Verifier verifier = new Verifier(RelayKeys.of(key), 60_000_000_000L, new SeenSet(8));
            for (boolean signed : new boolean[] {true, false}) {
                UdpSink sink = signed ? open(rig, ctx, "key-file", keyFile.toString()) : open(rig, ctx);
                try {
                    sink.send(packet(v4));
                    sink.send(packet(v6));
                    byte[] got4 = receive(at4);
                    byte[] got6 = receive(at6);
                    int header = signed ? WireFormat.HEADER_LENGTH : 0;
                    assertEquals(576 + (signed ? WireFormat.OVERHEAD : 0), got4.length, "v4 datagram, signed " + signed);
                    assertEquals(1280 + (signed ? WireFormat.OVERHEAD : 0), got6.length, "v6 datagram, signed " + signed);
                    if (signed) {
                        long now = WireFormat.wallClockNanos();
                        assertEquals(Verifier.ACCEPTED, verifier.check(got4, 0, got4.length, now), "signed over the cut packet");
                        assertEquals(Verifier.ACCEPTED, verifier.check(got6, 0, got6.length, now));
                    }
                    byte[] ip4 = Arrays.copyOfRange(got4, header, header + 576);
                    byte[] ip6 = Arrays.copyOfRange(got6, header, header + 1280);
                    assertEquals(576, (ip4[2] & 0xff) << 8 | (ip4[3] & 0xff), "IPv4 total length");
                    assertEquals(0, dev.pmtud.testkit.Checksums.internet(ip4, 0, 20), "IPv4 header checksum");
                    assertTrue(dev.pmtud.testkit.Checksums.icmpChecksumValid(ip4), "ICMP checksum");
                    assertEquals(1240, (ip6[4] & 0xff) << 8 | (ip6[5] & 0xff), "IPv6 payload length");
                    assertTrue(dev.pmtud.testkit.Checksums.icmpChecksumValid(ip6), "ICMPv6 checksum");
                    assertArrayEquals(Arrays.copyOfRange(v4, 24, 576), Arrays.copyOfRange(ip4, 24, 576), "the first 576 bytes");
                    assertTrue(packet(ip4).isValid() && packet(ip6).isValid());
                } finally {
                    sink.close();
                }
            }
        }
    }

    @Test
    void sendingAllocatesNothingPerMessage() throws Exception {
        Netns.assumeRoot();
        Path keyFile = Relay.keyFile(dir, "rw-------", Relay.key(4));
        try (TwoNodes rig = new TwoNodes()) {
            TestContext ctx = new TestContext("relay-peer").withPeers(addresses(NODE_V4, NODE_V6, UNREACHABLE_V4));
            UdpSink sink = open(rig, ctx, "key-file", keyFile.toString());
            try {
                Packet packet = packet(Ptb.v4().to(NODE_V4).build());
                com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                int warmup = 3000;
                int measured = 2000;
                for (int i = 0; i < warmup; i++) {
                    sink.send(packet);
                }
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < measured; i++) {
                    sink.send(packet);
                }
                long allocated = mx.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < measured, "allocated " + allocated + " bytes for " + measured + " signed messages");
                long total = warmup + measured;
                assertEquals(total, sent(ctx, NODE_V4) + Math.max(0, errors(ctx, NODE_V4, "EAGAIN"))
                        + Math.max(0, errors(ctx, NODE_V4, "ENOBUFS")), () -> ctx.metrics().toString());
                assertEquals(total, errors(ctx, UNREACHABLE_V4, "ENETUNREACH"), "the error path too");
                assertEquals(0, sent(ctx, NODE_V6), "IPv4 messages go to IPv4 peers only");
            } finally {
                sink.close();
            }
        }
    }

    private static UdpSink open(TwoNodes rig, TestContext ctx, String... keysAndValues) throws Exception {
        Object[] kv = new Object[keysAndValues.length + 2];
        kv[0] = "port";
        kv[1] = String.valueOf(PORT_UNDER_TEST);
        System.arraycopy(keysAndValues, 0, kv, 2, keysAndValues.length);
        UdpSink sink = (UdpSink) new UdpSinkFactory().create(Cfg.component("sinks", "udp", kv), ctx);
        rig.peer.call(() -> {
            sink.open();
            return null;
        });
        return sink;
    }

    private static List<InetAddress> addresses(String... a) throws Exception {
        InetAddress[] out = new InetAddress[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = InetAddress.getByName(a[i]);
        }
        return List.of(out);
    }

    private static long sent(TestContext ctx, String peer) {
        return ctx.metrics().count(PeerCounters.SENT, "node", "relay-peer", "sink", "udp", "peer", peer);
    }

    private static long errors(TestContext ctx, String peer, String errno) {
        return ctx.metrics().count(PeerCounters.ERRORS, "node", "relay-peer", "sink", "udp", "peer", peer, "errno", errno);
    }

    private static long failed(TestContext ctx, String peer) {
        return ctx.metrics().count(PeerCounters.FAILED, "node", "relay-peer", "sink", "udp", "peer", peer);
    }

    private static byte[] receive(DatagramSocket s) throws Exception {
        DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
        s.receive(d);
        return Arrays.copyOf(d.getData(), d.getLength());
    }

    private static Packet packet(byte[] l3) {
        Packet p = new Packet().wrap(l3, 0, l3.length, LinkType.RAW, 1L);
        assertTrue(p.decode(), p.invalidReason());
        return p;
    }
}
