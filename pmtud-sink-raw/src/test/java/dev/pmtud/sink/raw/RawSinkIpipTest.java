package dev.pmtud.sink.raw;

import static dev.pmtud.sink.raw.Wire.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
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

/**
 * ipip mode. This kernel has no ipip/ip6_tunnel drivers, so the copies are verified on the wire:
 * captured in each peer namespace and decoded (outer header, then the inner packet).
 */
@Tag("netns")
class RawSinkIpipTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String UNREACHABLE_V4 = "203.0.113.99";

    @Test
    void eachPeerGetsTheOriginalPacketEncapsulatedOnce() throws Exception {
        Netns.assumeRoot();
        try (Lan lan = new Lan()) {
            List<InetAddress> peers = new ArrayList<>();
            peers.add(ip(UNREACHABLE_V4));
            for (int i = 0; i < 3; i++) {
                peers.add(ip(Lan.peerV4(i)));
                peers.add(ip(Lan.peerV6(i)));
            }
            peers.add(ip(Lan.NODE_V4));
            TestContext ctx = Sinks.context(peers, List.of());
            try (LanSink rig = new LanSink(lan, Sinks.create(ctx, "mode", "ipip", "ttl", "7", "source", Lan.NODE_V4))) {
                RawSink sink = rig.sink;
                List<PacketCapture> captures = rig.captures;
                byte[] a4 = Ptb.v4().mtu(1400).build();
                byte[] b4 = Ptb.v4().mtu(1300).udp("192.0.2.10", 53, "198.51.100.7", 40000).build();
                byte[] a6 = Ptb.v6().mtu(1400).build();
                byte[] b6 = Ptb.v6().mtu(1280).build();
                for (byte[] m : List.of(a4, a6, b4, b6)) {
                    sink.send(Sinks.packet(m));
                }
                for (int i = 0; i < 3; i++) {
                    PacketCapture c = captures.get(i);
                    c.await(encapsulated(b4), 1, WAIT);
                    c.await(encapsulated(b6), 1, WAIT);
                    for (byte[] m : List.of(a4, b4, a6, b6)) {
                        List<byte[]> copies = c.matching(encapsulated(m));
                        boolean v4 = (m[0] & 0xf0) == 0x40;
                        assertEquals(1, copies.size(), "copies at peer " + (i + 1));
                        byte[] outer = Wire.l3(copies.get(0));
                        assertEquals(v4 ? 4 : 41, Wire.protocol(outer), "IPv4-in-IPv4 is protocol 4, IPv6-in-IPv6 next header 41");
                        assertEquals(7, Wire.ttl(outer));
                        assertEquals(ip(v4 ? Lan.NODE_V4 : Lan.NODE_V6), Wire.source(outer));
                        assertEquals(ip(v4 ? Lan.peerV4(i) : Lan.peerV6(i)), Wire.destination(outer));
                        byte[] inner = Wire.payload(outer);
                        assertArrayEquals(m, inner, "the original packet, verbatim");
                        // and what a decapsulating peer would hand its own pipeline still decodes
                        Packet decoded = new Packet().wrap(inner, 0, inner.length, LinkType.RAW, 1);
                        assertTrue(decoded.decode());
                        assertEquals(Sinks.packet(m).nextHopMtu(), decoded.nextHopMtu());
                    }
                }
                assertEquals(2, Sinks.errors(ctx, UNREACHABLE_V4, "ENETUNREACH"), () -> ctx.metrics().toString());
                assertEquals(-1, Sinks.sent(ctx, Lan.NODE_V4));

                // the peer set changes while running: the next message follows it
                byte[] c4 = Ptb.v4().mtu(1200).build();
                byte[] d4 = Ptb.v4().mtu(1100).build();
                ctx.setPeers(List.of(ip(Lan.peerV4(1))));
                sink.send(Sinks.packet(c4));
                ctx.setPeers(List.of(ip(Lan.peerV4(0)), ip(Lan.peerV4(1)), ip(Lan.peerV4(2))));
                sink.send(Sinks.packet(d4));
                for (int i = 0; i < 3; i++) {
                    captures.get(i).await(encapsulated(d4), 1, WAIT); // the barrier: c4 copies came before it
                    assertEquals(i == 1 ? 1 : 0, captures.get(i).matching(encapsulated(c4)).size(), "c4 at peer " + (i + 1));
                    assertEquals(1, captures.get(i).matching(encapsulated(d4)).size(), "d4 at peer " + (i + 1));
                }
            }
        }
    }

    private static Predicate<byte[]> encapsulated(byte[] message) {
        return f -> (Wire.isV4(f) || Wire.isV6(f)) && (Wire.protocol(Wire.l3(f)) == 4 || Wire.protocol(Wire.l3(f)) == 41)
                && Arrays.equals(message, Wire.payload(Wire.l3(f)));
    }
}
