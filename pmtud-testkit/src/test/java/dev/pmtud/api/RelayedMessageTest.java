package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.*;

import dev.pmtud.testkit.AllocationCheck;
import dev.pmtud.testkit.Checksums;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Ptb;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link RelayedMessage} on messages built with {@link Ptb}: jumbo messages are cut to RFC 1812's
 * 576 and RFC 4443's 1280 bytes with lengths and checksums the testkit's {@link Checksums} accepts,
 * and still decode to the same message; short ones are the packet's own bytes.
 */
class RelayedMessageTest {
    private static final String MAC_A = "02:00:5e:10:00:01";
    private static final String MAC_B = "02:00:5e:10:00:02";

    private static Packet decoded(byte[] l3) {
        byte[] frame = Frames.ethernet(MAC_B, MAC_A, l3);
        Packet p = new Packet().wrap(frame, 0, frame.length, LinkType.ETHERNET, 1);
        assertTrue(p.decode(), () -> "test input invalid: " + p.invalidReason());
        return p;
    }

    private static byte[] bytes(RelayedMessage m) {
        return Arrays.copyOfRange(m.buffer(), m.offset(), m.offset() + m.length());
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    /** The relayed packet decodes as the same message: router, MTU, quoted flow. */
    private static void assertSameMessage(Packet original, byte[] relayedL3) {
        Packet r = new Packet().wrap(relayedL3, 0, relayedL3.length, LinkType.RAW, 1);
        assertTrue(r.decode(), () -> "relayed copy refused: " + r.invalidReason());
        assertEquals(original.outerSource(), r.outerSource());
        assertEquals(original.outerDestination(), r.outerDestination());
        assertEquals(original.nextHopMtu(), r.nextHopMtu());
        assertEquals(original.innerSource(), r.innerSource());
        assertEquals(original.innerDestination(), r.innerDestination());
        assertEquals(original.innerTransportWord(), r.innerTransportWord());
    }

    @Test
    void a9000ByteFragNeededIsCutTo576WithLengthsAndChecksumsFixed() {
        byte[] l3 = Ptb.v4().mtu(1500).size(9000).build();
        assertEquals(9000, l3.length);
        Packet p = decoded(l3);
        RelayedMessage m = new RelayedMessage().ipPacket(p);
        byte[] out = bytes(m);
        assertTrue(m.truncated());
        assertEquals(576, out.length);
        assertEquals(576, u16(out, 2), "IPv4 total length");
        assertEquals(0, Checksums.internet(out, 0, 20), "IPv4 header checksum");
        assertTrue(Checksums.icmpChecksumValid(out), "ICMP checksum");
        // everything but the fixed fields is the original's first 576 bytes
        byte[] expected = Arrays.copyOf(l3, 576);
        for (int at : new int[] {2, 3, 10, 11, 22, 23}) {
            expected[at] = out[at];
        }
        assertArrayEquals(expected, out);
        assertSameMessage(p, out);
        assertArrayEquals(Arrays.copyOf(l3, 9000), l3, "the packet's own bytes are never written");
    }

    @Test
    void theIcmpPartL3SendsIsCutTo556SoThatItsNewHeaderMakes576() {
        byte[] l3 = Ptb.v4().size(9000).build();
        Packet p = decoded(l3);
        RelayedMessage m = new RelayedMessage().icmpMessage(p);
        byte[] icmp = bytes(m);
        assertEquals(576 - 20, icmp.length);
        assertEquals(0, Checksums.internet(icmp, 0, icmp.length), "ICMP checksum");
        assertEquals(l3[20], icmp[0]);
        assertEquals(u16(l3, 26), u16(icmp, 6), "MTU");
        assertArrayEquals(Arrays.copyOfRange(l3, 24, 576), Arrays.copyOfRange(icmp, 4, icmp.length));
    }

    @Test
    void ipv6IsCutTo1280() {
        byte[] l3 = Ptb.v6().mtu(1500).size(9000).build();
        Packet p = decoded(l3);
        byte[] out = bytes(new RelayedMessage().ipPacket(p));
        assertEquals(1280, out.length);
        assertEquals(1240, u16(out, 4), "IPv6 payload length");
        assertTrue(Checksums.icmpChecksumValid(out), "ICMPv6 checksum");
        assertArrayEquals(Arrays.copyOfRange(l3, 44, 1280), Arrays.copyOfRange(out, 44, 1280));
        assertSameMessage(p, out);

        byte[] icmp = bytes(new RelayedMessage().icmpMessage(p));
        assertEquals(1280 - 40, icmp.length);
        // the checksum is over the original addresses (the raw ICMPv6 socket writes the real one)
        byte[] behindOriginalHeader = Ptb.ipv6(p.outerSource(), p.outerDestination(), 58, 64, Arrays.copyOf(icmp, icmp.length));
        ByteBuffer.wrap(behindOriginalHeader).putShort(42, (short) u16(icmp, 2)); // ipv6() refilled it: put ours back
        assertTrue(Checksums.icmpChecksumValid(behindOriginalHeader));
    }

    @Test
    void extensionHeadersStayAndTheIcmpv6ChecksumCoversTheShorterMessage() {
        byte[] hbh = {58, 0, 5, 2, 0, 0, 1, 0};
        byte[] icmp = Ptb.v6().mtu(1400).size(4000 - 8).icmpMessage();
        byte[] l3 = Ptb.ipv6(PacketDecoderTest.inet(PacketDecoderTest.ROUTER6), PacketDecoderTest.inet(PacketDecoderTest.VIP6),
                0, 64, hbh, icmp);
        Packet p = decoded(l3);
        byte[] out = bytes(new RelayedMessage().ipPacket(p));
        assertEquals(1280, out.length);
        assertEquals(1240, u16(out, 4));
        assertEquals(0, Checksums.icmpv6(out, 0, 48));
        assertSameMessage(p, out);
    }

    @Test
    void messagesWithinTheBoundAreThePacketsOwnBytes() {
        for (byte[] l3 : new byte[][] {Ptb.v4().build(), Ptb.v4().size(576).build(), Ptb.v6().size(1280).build()}) {
            Packet p = decoded(l3);
            RelayedMessage m = new RelayedMessage().ipPacket(p);
            assertFalse(m.truncated());
            assertSame(p.buffer(), m.buffer());
            assertEquals(p.l3Offset(), m.offset());
            assertEquals(l3.length, m.length());
            RelayedMessage i = new RelayedMessage().icmpMessage(p);
            assertFalse(i.truncated());
            assertSame(p.buffer(), i.buffer());
            assertEquals(p.icmpOffset(), i.offset());
            assertEquals(p.icmpLength(), i.length());
        }
        // one byte over: cut
        assertEquals(576, new RelayedMessage().ipPacket(decoded(Ptb.v4().size(577).build())).length());
        assertEquals(1280, new RelayedMessage().ipPacket(decoded(Ptb.v6().size(1281).build())).length());
    }

    @Test
    void aShortCaptureIsMadeConsistent() {
        // pcap's snaplen kept 300 of 1500 bytes: what is sent says 300 and checks out
        byte[] l3 = Ptb.v4().size(1500).build();
        byte[] captured = Arrays.copyOf(l3, 300);
        Packet p = new Packet().wrap(captured, 0, captured.length, LinkType.RAW, 1);
        assertTrue(p.decode(), () -> p.invalidReason());
        RelayedMessage m = new RelayedMessage().ipPacket(p);
        byte[] out = bytes(m);
        assertTrue(m.truncated());
        assertEquals(300, out.length);
        assertEquals(300, u16(out, 2));
        assertEquals(0, Checksums.internet(out, 0, 20));
        assertTrue(Checksums.icmpChecksumValid(out));
    }

    @Test
    void cuttingAllocatesNothing() {
        AllocationCheck.assumeMeasurable();
        Packet jumbo = decoded(Ptb.v4().size(9000).build());
        Packet small = decoded(Ptb.v6().build());
        RelayedMessage m = new RelayedMessage();
        long bytes = AllocationCheck.bytesAllocated((from, to) -> {
            for (int i = from; i < to; i++) {
                m.ipPacket(jumbo);
                m.icmpMessage(jumbo);
                m.ipPacket(small);
            }
        }, 20_000);
        // a kilobyte of slack for the measurement itself; one allocation per message would be megabytes
        assertTrue(bytes < 4096, bytes + " bytes allocated cutting 20 000 messages");
    }
}
