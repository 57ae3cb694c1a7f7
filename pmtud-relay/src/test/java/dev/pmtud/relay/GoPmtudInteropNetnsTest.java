package dev.pmtud.relay;

import static dev.pmtud.relay.TwoNodes.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * go-pmtud's relay format both ways, its side emulated with plain sockets: go-pmtud forwards the bare
 * IPv4 packet of the ICMP error in one datagram to port 4390 and injects what it receives the same
 * way. A keyless pmtud understands the one and is understood by the other.
 */
@Tag("netns")
class GoPmtudInteropNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aBarePacketFromAGoPmtudPeerIsInjectedAndTheKeylessSinkSendsBarePackets() throws Exception {
        Netns.assumeRoot();
        try (TwoNodes rig = new TwoNodes()) {
            rig.start(); // no key-file: go-pmtud's format
            long rx = rig.deviceRx();
            byte[] v4 = Ptb.v4().from("203.0.113.1").to(NODE_V4).mtu(1400).build();

            // go-pmtud -> pmtud: the bare packet from a peer address to port 4390 is handed on and injected
            try (DatagramSocket goPmtud = rig.peerSocket(PEER_V4)) {
                send(goPmtud, v4, NODE_V4);
                Await.until(WAIT, "the bare packet on the device", () -> rig.deviceRx() == rx + 1);
                // a signed datagram is not go-pmtud's format: counted, not injected
                send(goPmtud, Relay.signed(Relay.key(1), WireFormat.wallClockNanos(), v4), NODE_V4);
                Await.until(WAIT, "signed-without-key counted", () -> rig.discarded("signed-without-key") == 1);
                // a bare packet from a non-peer is not taken either
                try (DatagramSocket stranger = rig.peerSocket(STRANGER_V4)) {
                    send(stranger, v4, NODE_V4);
                    Await.until(WAIT, "not-a-peer counted", () -> rig.discarded("not-a-peer") == 1);
                }
                byte[] barrier = Ptb.v4().from("203.0.113.2").to(NODE_V4).mtu(1300).build();
                send(goPmtud, barrier, NODE_V4);
                Await.until(WAIT, "the second bare packet on the device", () -> rig.deviceRx() == rx + 2);
            }
            assertEquals(2.0, rig.counter("pmtud_inject_written_total"));
            assertEquals(2.0, rig.counter("pmtud_forwarded_total"));

            // pmtud -> go-pmtud: the keyless udp sink's datagram is the IP packet, byte for byte
            int goPort = PORT + 1;
            TestContext ctx = new TestContext("relay-peer").withPeers(List.of(InetAddress.getByName(NODE_V4)));
            Sink sink = new UdpSinkFactory().create(Cfg.component("sinks", "udp", "port", String.valueOf(goPort)), ctx);
            try (DatagramSocket goPmtudReceiver = rig.nodeSocket(NODE_V4, goPort)) {
                rig.peer.call(() -> {
                    sink.open();
                    return null;
                });
                Packet p = new Packet().wrap(v4, 0, v4.length, LinkType.RAW, 1L);
                p.decode();
                sink.send(p);
                DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
                goPmtudReceiver.receive(d);
                assertArrayEquals(v4, Arrays.copyOf(d.getData(), d.getLength()));
                assertEquals(InetAddress.getByName(PEER_V4), d.getAddress(), "from the peer's own address, as go-pmtud checks");
            } finally {
                sink.close();
            }
        }
    }
}
