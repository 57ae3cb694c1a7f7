package dev.pmtud.sink.raw;

import static dev.pmtud.sink.raw.Wire.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Frames;
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

/** l2-broadcast and l2-unicast: the original packet, verbatim, in an Ethernet frame. */
@Tag("netns")
class RawSinkL2Test {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** On the segment's subnet, but no host answers for it: it never gets a MAC. */
    private static final String ABSENT = "192.0.2.99";

    @Test
    void broadcastReachesEveryPeerOnceAsBroadcastFrame() throws Exception {
        Netns.assumeRoot();
        try (Lan lan = new Lan()) {
            TestContext ctx = Sinks.context(List.of(ip(Lan.peerV4(0))), List.of());
            // no interface: the default route's interface is used
            lan.node.exec("ip", "route", "add", "default", "via", Lan.peerV4(0), "dev", "eth0");
            try (LanSink rig = new LanSink(lan, Sinks.create(ctx, "mode", "l2-broadcast"))) {
                RawSink sink = rig.sink;
                List<PacketCapture> captures = rig.captures;
                assertEquals("eth0", sink.interfaceName());
                byte[] a4 = Ptb.v4().mtu(1400).build();
                byte[] b6 = Ptb.v6().mtu(1280).build();
                sink.send(Sinks.packet(a4));
                sink.send(Sinks.packet(b6));
                for (int i = 0; i < 3; i++) {
                    PacketCapture c = captures.get(i);
                    c.await(frameWith(b6), 1, WAIT);
                    for (byte[] m : List.of(a4, b6)) {
                        List<byte[]> copies = c.matching(frameWith(m));
                        assertEquals(1, copies.size(), "copies at peer " + (i + 1));
                        byte[] f = copies.get(0);
                        assertArrayEquals(Frames.mac(Frames.BROADCAST), Wire.mac(f, 0), "destination ff:ff:ff:ff:ff:ff");
                        assertArrayEquals(Frames.mac(Lan.NODE_MAC), Wire.mac(f, 6), "source: the node's MAC");
                        assertEquals(Frames.etherType(m), Wire.etherType(f));
                        assertArrayEquals(m, Wire.l3(f), "the original packet, verbatim");
                    }
                }
            }
        }
    }

    @Test
    void broadcastLoopGuardDropsWhatArrivedAsBroadcast() {
        RawSink sink = Sinks.create(Sinks.context(List.of(), List.of()), "mode", "l2-broadcast", "interface", "eth0");
        byte[] l3 = Ptb.v4().build();
        byte[] bcast = Frames.ethernet(Frames.BROADCAST, "02:00:00:00:00:09", l3);
        byte[] unicast = Frames.ethernet(Lan.NODE_MAC, "02:00:00:00:00:09", l3);
        Verdict v = sink.loopGuard().apply(new Packet().wrap(bcast, 0, bcast.length, LinkType.ETHERNET, 1));
        assertEquals(BroadcastGuard.ARRIVED_AS_BROADCAST, v.reason());
        assertSame(Verdict.PASS, sink.loopGuard().apply(new Packet().wrap(unicast, 0, unicast.length, LinkType.ETHERNET, 1)));
        // NFLOG tells the kernel's classification instead of the frame
        Packet nflog = new Packet().wrap(l3, 0, l3.length, LinkType.RAW, 1).packetType(Packet.PACKET_BROADCAST);
        assertEquals(BroadcastGuard.ARRIVED_AS_BROADCAST, sink.loopGuard().apply(nflog).reason());
        assertTrue(sink.loopGuard().dropReasons().contains(BroadcastGuard.ARRIVED_AS_BROADCAST));
    }

    @Test
    void unicastResolvesMacsAndSendsOneFramePerPeer() throws Exception {
        Netns.assumeRoot();
        try (Lan lan = new Lan()) {
            List<InetAddress> peers = new ArrayList<>();
            peers.add(ip(Lan.peerV4(0)));
            peers.add(ip(ABSENT));
            peers.add(ip(Lan.peerV4(1)));
            peers.add(ip(Lan.peerV6(1))); // the same node by its IPv6 address: still one frame
            peers.add(ip(Lan.peerV4(2)));
            peers.add(ip(Lan.NODE_V4));
            TestContext ctx = Sinks.context(peers, List.of());
            assertTrue(lan.node.exec("ip", "neigh", "show", "dev", "eth0").stdout().isBlank(), "the neighbour table starts empty");
            try (LanSink rig = new LanSink(lan, Sinks.create(ctx, "mode", "l2-unicast", "interface", "eth0", "refresh", "1s"))) {
                RawSink sink = rig.sink;
                List<PacketCapture> captures = rig.captures;
                // resolution was triggered by the sink itself; await the MACs it reads back
                Await.until(WAIT, "the MACs of 4 peers", () -> sink.peerMacs().size() >= 4);
                for (int i = 0; i < 3; i++) {
                    assertEquals(Lan.peerMac(i), sink.peerMacs().get(ip(Lan.peerV4(i))), "MAC of peer " + (i + 1));
                }
                assertEquals(Lan.peerMac(1), sink.peerMacs().get(ip(Lan.peerV6(1))));
                byte[] a4 = Ptb.v4().mtu(1400).build();
                byte[] b6 = Ptb.v6().mtu(1280).build();
                sink.send(Sinks.packet(a4));
                sink.send(Sinks.packet(b6));
                for (int i = 0; i < 3; i++) {
                    PacketCapture c = captures.get(i);
                    byte[] myMac = Frames.mac(Lan.peerMac(i));
                    Predicate<byte[]> toMe = f -> Arrays.equals(myMac, Wire.mac(f, 0));
                    c.await(toMe.and(frameWith(b6)), 1, WAIT);
                    for (byte[] m : List.of(a4, b6)) {
                        List<byte[]> copies = c.matching(toMe.and(frameWith(m)));
                        assertEquals(1, copies.size(), "copies at peer " + (i + 1));
                        byte[] f = copies.get(0);
                        assertArrayEquals(Frames.mac(Lan.NODE_MAC), Wire.mac(f, 6));
                        assertEquals(Frames.etherType(m), Wire.etherType(f));
                        assertArrayEquals(m, Wire.l3(f), "the original packet, verbatim");
                    }
                }
                // never sent: no MAC yet, or (once the kernel gave up asking) neighbour-failed
                assertEquals(2, neverSent(ctx), () -> ctx.metrics().toString());
                assertEquals(0, Sinks.sent(ctx, ABSENT));
                for (int i = 0; i < 3; i++) {
                    assertEquals(2, Sinks.sent(ctx, Lan.peerV4(i)));
                }
                assertEquals(-1, Sinks.sent(ctx, Lan.NODE_V4));

                // loop guard: a frame from a peer's MAC is a peer's copy
                byte[] l3 = Ptb.v4().build();
                byte[] fromPeer = Frames.ethernet(Lan.NODE_MAC, Lan.peerMac(2), l3);
                byte[] fromRouter = Frames.ethernet(Lan.NODE_MAC, "02:00:00:00:00:fe", l3);
                assertEquals(PeerMacGuard.FROM_PEER_MAC,
                        sink.loopGuard().apply(new Packet().wrap(fromPeer, 0, fromPeer.length, LinkType.ETHERNET, 1)).reason());
                assertSame(Verdict.PASS, sink.loopGuard().apply(new Packet().wrap(fromRouter, 0, fromRouter.length, LinkType.ETHERNET, 1)));
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
            peers.add(ip(ABSENT)); // the no-mac path too
            TestContext ctx = Sinks.context(peers, List.of());
            Packet packet = Sinks.packet(Ptb.v4().build());
            int warmup = 3000;
            int measured = 2000;
            RawSink unicast = Sinks.create(ctx, "mode", "l2-unicast", "interface", "eth0");
            lan.openOnNode(unicast);
            try {
                Await.until(WAIT, "the peers' MACs", () -> unicast.peerMacs().size() == 3);
                long allocated = SendAllocation.bytes(unicast, packet, warmup, measured);
                assertTrue(allocated < measured, () -> "l2-unicast allocated " + allocated + " bytes for " + measured
                        + " messages to 4 peers; " + ctx.metrics());
                long total = warmup + measured;
                assertEquals(total, Sinks.sentOrQueueFull(ctx, Lan.peerV4(2)), () -> ctx.metrics().toString());
                assertEquals(total, neverSent(ctx));
            } finally {
                unicast.close();
            }
            RawSink broadcast = Sinks.create(ctx, "mode", "l2-broadcast", "interface", "eth0");
            lan.openOnNode(broadcast);
            try {
                long allocated = SendAllocation.bytes(broadcast, packet, warmup, measured);
                assertTrue(allocated < measured, "l2-broadcast allocated " + allocated + " bytes for " + measured + " messages");
            } finally {
                broadcast.close();
            }
        }
    }

    /** Messages to {@link #ABSENT} counted as errors: without a MAC, or with the kernel's resolution failed. */
    private static long neverSent(TestContext ctx) {
        return Sinks.errors(ctx, ABSENT, UnicastReplicator.NO_MAC) + Sinks.errors(ctx, ABSENT, NeighbourTable.FAILED);
    }

    private static Predicate<byte[]> frameWith(byte[] l3) {
        return f -> f.length >= 14 + l3.length && Arrays.equals(l3, Arrays.copyOfRange(f, 14, 14 + l3.length));
    }
}
