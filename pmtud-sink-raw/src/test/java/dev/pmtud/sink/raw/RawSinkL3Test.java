package dev.pmtud.sink.raw;

import static dev.pmtud.sink.raw.Wire.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Cidr;
import dev.pmtud.testkit.Checksums;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** l3 mode on a real bridge: fresh IP header from the node to each peer, TTL / hop limit as configured. */
@Tag("netns")
class RawSinkL3Test {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int TTL = 3;
    private static final String UNREACHABLE_V4 = "198.51.100.99";
    private static final String UNREACHABLE_V6 = "2001:db8:ffff::99";

    @Test
    void eachPeerGetsExactlyOneCopyPerMessageWithAFreshHeader() throws Exception {
        Netns.assumeRoot();
        try (Lan lan = new Lan()) {
            List<InetAddress> peers = new ArrayList<>();
            // the unreachable peers sit between reachable ones: a failure must not stop the rest;
            // the node's own address is listed too and must never be sent to
            peers.add(ip(Lan.peerV4(0)));
            peers.add(ip(UNREACHABLE_V4));
            peers.add(ip(Lan.NODE_V4));
            peers.add(ip(Lan.peerV4(1)));
            peers.add(ip(Lan.peerV4(2)));
            peers.add(ip(Lan.peerV6(0)));
            peers.add(ip(UNREACHABLE_V6));
            peers.add(ip(Lan.NODE_V6));
            peers.add(ip(Lan.peerV6(1)));
            peers.add(ip(Lan.peerV6(2)));
            TestContext ctx = Sinks.context(peers, List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("198.51.100.0/24"),
                    Cidr.parse("2001:db8::/32")));
            try (PacketCapture nodeLo = lan.node.call(() -> PacketCapture.open("lo"));
                 LanSink rig = new LanSink(lan, Sinks.create(ctx, "mode", "l3", "ttl", String.valueOf(TTL)))) {
                RawSink sink = rig.sink;
                List<PacketCapture> captures = rig.captures;
                byte[] a4 = Ptb.v4().mtu(1400).build();
                byte[] b4 = Ptb.v4().mtu(1300).build();
                byte[] a6 = Ptb.v6().mtu(1400).build();
                byte[] b6 = Ptb.v6().mtu(1280).build();
                assertEquals(0, Sinks.failed(ctx, UNREACHABLE_V4), "pmtud_peer_send_failed_total exists at zero before any error");
                for (byte[] m : List.of(a4, a6, b4, b6)) {
                    sink.send(Sinks.packet(m));
                }
                for (int i = 0; i < 3; i++) {
                    PacketCapture c = captures.get(i);
                    // the last messages are the barrier: once they are in, every earlier copy is too
                    c.await(copyOf(b4), 1, WAIT);
                    c.await(copyOf(b6), 1, WAIT);
                    for (byte[] m : List.of(a4, b4, a6, b6)) {
                        List<byte[]> copies = c.matching(copyOf(m));
                        assertEquals(1, copies.size(), "copies of a v" + (m[0] >> 4) + " message at peer " + (i + 1));
                        byte[] outer = Wire.l3(copies.get(0));
                        boolean v4 = (m[0] & 0xf0) == 0x40;
                        assertEquals(ip(v4 ? Lan.NODE_V4 : Lan.NODE_V6), Wire.source(outer), "outer source");
                        assertEquals(ip(v4 ? Lan.peerV4(i) : Lan.peerV6(i)), Wire.destination(outer), "outer destination");
                        assertEquals(TTL, Wire.ttl(outer), "TTL / hop limit");
                        assertEquals(v4 ? 1 : 58, Wire.protocol(outer), "protocol");
                        if (v4) {
                            assertArrayEquals(icmp(m), Wire.payload(outer), "ICMP bytes intact");
                        } else {
                            assertArrayEquals(Wire.withoutChecksum(icmp(m)), Wire.withoutChecksum(Wire.payload(outer)),
                                    "ICMPv6 bytes intact apart from the checksum");
                            assertTrue(Checksums.icmpChecksumValid(outer), "ICMPv6 checksum recomputed for the new pseudo-header");
                        }
                    }
                }
                // never to itself
                assertTrue(nodeLo.matching(f -> Wire.isV4(f) || Wire.isV6(f)).isEmpty(), "nothing sent to the node's own address");
                assertFalse(Sinks.hasSent(ctx, Lan.NODE_V4));
                assertFalse(Sinks.hasSent(ctx, Lan.NODE_V6));
                for (int i = 0; i < 3; i++) {
                    assertEquals(2, Sinks.sent(ctx, Lan.peerV4(i)));
                    assertEquals(2, Sinks.sent(ctx, Lan.peerV6(i)));
                }
                // the unreachable peers: counted with their errno, per message of their family
                assertEquals(2, Sinks.errors(ctx, UNREACHABLE_V4, "ENETUNREACH"), () -> ctx.metrics().toString());
                assertEquals(2, Sinks.errors(ctx, UNREACHABLE_V6, "ENETUNREACH"), () -> ctx.metrics().toString());
                assertEquals(2, Sinks.failed(ctx, UNREACHABLE_V4), "send_failed counts every errno's errors");
                assertEquals(0, Sinks.sent(ctx, UNREACHABLE_V4));
            }
        }
    }

    @Test
    void sendingAllocatesNothingPerMessage() throws Exception {
        Netns.assumeRoot();
        try (Lan lan = new Lan()) {
            List<InetAddress> peers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                peers.add(ip(Lan.peerV4(i)));
            }
            peers.add(ip(UNREACHABLE_V4)); // the error path too
            TestContext ctx = Sinks.context(peers, List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("198.51.100.0/24")));
            RawSink sink = Sinks.create(ctx, "mode", "l3");
            lan.openOnNode(sink);
            try {
                dev.pmtud.api.Packet packet = Sinks.packet(Ptb.v4().build());
                int warmup = 3000;
                int measured = 2000;
                long allocated = SendAllocation.bytes(sink, packet, warmup, measured);
                // (a first error of a new errno creates its series: an error path, once; the metrics say which)
                assertTrue(allocated < measured, () -> "allocated " + allocated + " bytes for " + measured + " messages to 4 peers; "
                        + ctx.metrics());
                long total = warmup + measured;
                // every message is accounted for: sent, or (on a busy machine) refused by a full queue
                assertEquals(total, Sinks.sentOrQueueFull(ctx, Lan.peerV4(2)), () -> ctx.metrics().toString());
                assertEquals(total, Sinks.errors(ctx, UNREACHABLE_V4, "ENETUNREACH"));
            } finally {
                sink.close();
            }
        }
    }

    private static byte[] icmp(byte[] l3) {
        return Wire.payload(l3);
    }

    /** A frame that carries {@code message}'s ICMP body (checksum aside) in a fresh IP header. */
    private static Predicate<byte[]> copyOf(byte[] message) {
        boolean v4 = (message[0] & 0xf0) == 0x40;
        byte[] body = Wire.withoutChecksum(icmp(message));
        return f -> (v4 ? Wire.isV4(f) : Wire.isV6(f))
                && Wire.protocol(Wire.l3(f)) == (v4 ? 1 : 58)
                && Arrays.equals(body, Wire.withoutChecksum(Wire.payload(Wire.l3(f))));
    }
}
