package dev.pmtud.relay;

import static dev.pmtud.relay.TwoNodes.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pmtud.api.InvalidReason;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Sink;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signed relay on real sockets: a udp source with a key, in a real pipeline, writing through a
 * real inject sink into a real TUN device. Every refused datagram is counted with its reason and
 * never reaches the device (its RX counter, read from sysfs, moves only for the accepted ones).
 */
@Tag("netns")
class UdpRelayRefusalsNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration MAX_AGE = Duration.ofMillis(600);

    @TempDir
    Path dir;

    @Test
    void onlyGenuineDatagramsFromPeersReachTheDeviceAndEachRefusalIsCounted() throws Exception {
        Netns.assumeRoot();
        byte[] key = Relay.key(1);
        Path keyFile = Relay.keyFile(dir, "rw-------", key);
        try (TwoNodes rig = new TwoNodes()) {
            rig.start("key-file", keyFile.toString(), "max-age", MAX_AGE.toMillis() + "ms");
            for (String reason : Discards.REASONS) {
                assertEquals(0.0, rig.discarded(reason), reason + " exists at zero from the start");
            }
            long rx = rig.deviceRx();

            // a genuine datagram, made by a real udp sink on the peer and captured on the node
            byte[] v4 = Ptb.v4().from("203.0.113.1").to(NODE_V4).mtu(1400).udp(NODE_V4, 5000, "198.51.100.7", 6000).build();
            byte[] genuine = captureFromSink(rig, keyFile, v4);
            assertEquals(v4.length + 48, genuine.length);
            assertArrayEquals(v4, Arrays.copyOfRange(genuine, 16, 16 + v4.length), "the packet, outer header unchanged");

            try (DatagramSocket fromPeer = rig.peerSocket(PEER_V4);
                 DatagramSocket fromPeer6 = rig.peerSocket(PEER_V6);
                 DatagramSocket fromStranger = rig.peerSocket(STRANGER_V4)) {
                send(fromPeer, genuine, NODE_V4);
                long accepted = rx + 1;
                Await.until(WAIT, "the genuine datagram on the device", () -> rig.deviceRx() == accepted);

                send(fromPeer, genuine, NODE_V4);
                awaitDiscarded(rig, "replayed", 1);

                long now = WireFormat.wallClockNanos();
                send(fromStranger, Relay.signed(key, now, v4), NODE_V4);
                awaitDiscarded(rig, "not-a-peer", 1);

                send(fromPeer, v4, NODE_V4);
                awaitDiscarded(rig, "unauthenticated", 1);

                send(fromPeer, Relay.signed(Relay.key(77), now, v4), NODE_V4);
                awaitDiscarded(rig, "unknown-key", 1);

                byte[] altered = Relay.signed(key, now + 1, v4);
                altered[40] ^= 1;
                send(fromPeer, altered, NODE_V4);
                awaitDiscarded(rig, "bad-mac", 1);

                send(fromPeer, Relay.cut(Relay.signed(key, now + 2, v4), 60), NODE_V4);
                awaitDiscarded(rig, "truncated", 1);

                send(fromPeer, Relay.signed(key, now + 60_000_000_000L, v4), NODE_V4);
                awaitDiscarded(rig, "from-the-future", 1);

                // genuine and signed, but not a frag-needed inside: the runtime's decoder refuses it
                byte[] unreachable = Ptb.v4().to(NODE_V4).type(3, 1).build();
                send(fromPeer, Relay.signed(key, now + 3, unreachable), NODE_V4);
                Await.until(WAIT, "not-frag-needed counted", () ->
                        rig.counter("pmtud_invalid_total", "reason", InvalidReason.NOT_FRAG_NEEDED) == 1.0);

                // the captured genuine datagram once its max-age has passed
                long sentAt = WireFormat.timestamp(genuine, 0);
                Await.until(WAIT, "max-age to pass", () -> WireFormat.wallClockNanos() > sentAt + MAX_AGE.toNanos());
                send(fromPeer, genuine, NODE_V4);
                awaitDiscarded(rig, "too-old", 1);

                // IPv6 from the peer's IPv6 address: accepted, and the last datagram of the run
                byte[] v6 = Ptb.v6().from("2001:db8:ff::1").to(NODE_V6).mtu(1400).build();
                send(fromPeer6, Relay.signed(key, WireFormat.wallClockNanos(), v6), NODE_V6);
                Await.until(WAIT, "the IPv6 datagram on the device", () -> rig.deviceRx() == accepted + 1);
            }
            // the source handles datagrams in order: every refused one came before the last accepted one
            assertEquals(rx + 2, rig.deviceRx(), rig.nodeLinks());
            for (String reason : List.of("replayed", "not-a-peer", "unauthenticated", "unknown-key", "bad-mac", "truncated",
                    "from-the-future", "too-old")) {
                assertEquals(1.0, rig.discarded(reason), reason);
            }
            assertEquals(0.0, rig.discarded("seen-set-full"));
            assertEquals(2.0, rig.counter("pmtud_inject_written_total"), "written: the two accepted ones");
        }
    }

    private static void awaitDiscarded(TwoNodes rig, String reason, int count) {
        Await.until(WAIT, reason + " counted", () -> rig.discarded(reason) == count);
    }

    /** What a real udp sink on the peer sends for {@code packet}, received by a plain socket on the node. */
    private static byte[] captureFromSink(TwoNodes rig, Path keyFile, byte[] packet) throws Exception {
        int capturePort = PORT + 1;
        TestContext ctx = new TestContext("relay-peer").withPeers(List.of(InetAddress.getByName(NODE_V4)));
        Sink sink = new UdpSinkFactory().create(Cfg.component("sinks", "udp", "port", String.valueOf(capturePort),
                "key-file", keyFile.toString()), ctx);
        try (DatagramSocket capture = rig.nodeSocket(NODE_V4, capturePort)) {
            rig.peer.call(() -> {
                sink.open();
                return null;
            });
            Packet p = new Packet().wrap(packet, 0, packet.length, LinkType.RAW, 1L);
            p.decode();
            sink.send(p);
            DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
            capture.receive(d);
            assertEquals(InetAddress.getByName(PEER_V4), d.getAddress(), "sent from the peer's address");
            return Arrays.copyOf(d.getData(), d.getLength());
        } finally {
            sink.close();
        }
    }
}
