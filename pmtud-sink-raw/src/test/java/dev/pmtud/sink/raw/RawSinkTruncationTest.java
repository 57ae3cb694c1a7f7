package dev.pmtud.sink.raw;

import static dev.pmtud.sink.raw.Wire.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Checksums;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.PmtuProbe;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A router that quoted a 9 000-byte packet: in every mode the raw sink sends at most what the
 * kernel needs (576 bytes of IPv4, 1 280 of IPv6) with lengths and checksums fixed, and the peer's
 * kernel accepts the copy and learns the MTU. One bridge for all four modes.
 */
@Tag("netns")
class RawSinkTruncationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CLIENT_V4 = "192.0.2.99";
    private static final String CLIENT_V6 = "2001:db8::99";
    private static final int PORT = 5000;
    private static final int REMOTE_PORT = 6000;
    private static final int JUMBO = 9000;

    @Test
    void aJumboMessageIsCutToWhatTheKernelNeedsInEveryMode() throws Exception {
        Netns.assumeRoot();
        try (Lan lan = new Lan()) {
            Netns peer = lan.peers.get(0);
            List<InetAddress> peers = List.of(ip(Lan.peerV4(0)), ip(Lan.peerV6(0)));
            List<Cidr> cluster = List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8::/64"));
            try (PmtuProbe probe4 = peer.call(() -> PmtuProbe.open(Lan.peerV4(0), PORT, CLIENT_V4, REMOTE_PORT));
                 PmtuProbe probe6 = peer.call(() -> PmtuProbe.open(Lan.peerV6(0), PORT, CLIENT_V6, REMOTE_PORT))) {
                assertEquals(1500, probe4.mtu(), "the link's MTU before");
                // each mode reports a lower MTU than the one before, so that each is learnt anew
                int mtu = 1480;
                for (String mode : List.of("l3", "l2-unicast", "l2-broadcast", "ipip")) {
                    TestContext ctx = Sinks.context(peers, cluster);
                    try (LanSink rig = new LanSink(lan, Sinks.create(ctx, "mode", mode, "interface", "eth0"))) {
                        mtu -= 20;
                        byte[] v4 = Ptb.v4().from("203.0.113.1").to(Lan.peerV4(0)).mtu(mtu)
                                .udp(Lan.peerV4(0), PORT, CLIENT_V4, REMOTE_PORT).size(JUMBO).build();
                        byte[] v6 = Ptb.v6().from("2001:db8:ff::1").to(Lan.peerV6(0)).mtu(mtu)
                                .udp(Lan.peerV6(0), PORT, CLIENT_V6, REMOTE_PORT).size(JUMBO).build();
                        rig.sink.send(Sinks.packet(v4));
                        rig.sink.send(Sinks.packet(v6));
                        PacketCapture c = rig.captures.get(0);
                        checkCopy(mode, c.await(copyOf(mode, v4), 1, WAIT).get(0), mode.equals("l3") ? Lan.NODE_V4 : "203.0.113.1");
                        checkCopy(mode, c.await(copyOf(mode, v6), 1, WAIT).get(0), null);
                        if (!mode.equals("ipip")) { // no ipip drivers in this kernel: checked on the wire only
                            int expected = mtu;
                            Await.until(WAIT, mode + ": the peer's kernel to learn IPv4 mtu " + expected, () -> probe4.mtu() == expected);
                            Await.until(WAIT, mode + ": the peer's kernel to learn IPv6 mtu " + expected, () -> probe6.mtu() == expected);
                        }
                    }
                }
            }
        }
    }

    /** The captured copy: at most 576 / 1 280 bytes of IP, every checksum right, the same message. */
    private static void checkCopy(String mode, byte[] frame, String outerSource) {
        byte[] ip = Wire.l3(frame);
        if (mode.equals("ipip")) {
            ip = Wire.payload(ip); // the original packet, inside
        }
        boolean v4 = (ip[0] & 0xf0) == 0x40;
        int bound = v4 ? 576 : 1280;
        assertEquals(bound, ip.length, mode + ": the IP packet carrying the message");
        int declared = v4 ? u16(ip, 2) : 40 + u16(ip, 4);
        assertEquals(bound, declared, mode + ": its length field");
        if (v4) {
            assertEquals(0, Checksums.internet(ip, 0, 20), mode + ": IPv4 header checksum");
            assertEquals(ip(outerSource), Wire.source(ip), mode + ": outer source");
        }
        assertTrue(Checksums.icmpChecksumValid(ip), mode + ": ICMP checksum");
        Packet p = new Packet().wrap(ip, 0, ip.length, LinkType.RAW, 1);
        assertTrue(p.decode(), () -> mode + ": the copy decodes: " + p.invalidReason());
    }

    /** A copy of {@code message} (same MTU and quoted flow) as {@code mode} puts it on the wire. */
    private static Predicate<byte[]> copyOf(String mode, byte[] message) {
        Packet m = Sinks.packet(message);
        return f -> {
            if (!Wire.isV4(f) && !Wire.isV6(f)) {
                return false;
            }
            byte[] ip = Wire.l3(f);
            if (mode.equals("ipip")) {
                if (Wire.protocol(ip) != 4 && Wire.protocol(ip) != 41) {
                    return false;
                }
                ip = Wire.payload(ip);
            }
            if (ip.length < 40) {
                return false;
            }
            Packet p = new Packet().wrap(ip, 0, ip.length, LinkType.RAW, 1);
            return p.decode() && p.ipVersion() == m.ipVersion() && p.nextHopMtu() == m.nextHopMtu()
                    && p.innerTransportWord() == m.innerTransportWord() && p.innerSource().equals(m.innerSource());
        };
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }
}
