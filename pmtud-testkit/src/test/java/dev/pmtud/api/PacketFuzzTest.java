package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.*;

import dev.pmtud.testkit.Checksums;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Ptb;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated-valid byte sequences for every link type (seeded: a failure reproduces). The
 * decoder must never throw, and on a packet it calls valid every offset must lie inside the packet.
 */
class PacketFuzzTest {
    private static final int INPUTS = 320_000;
    private static final long SEED = 0x9e3779b97f4a7c15L;

    private static List<byte[]> seeds(LinkType type) {
        byte[] hopByHop = {58, 0, 0, 0, 0, 0, 0, 0};
        List<byte[]> l3 = List.of(PacketDecoderTest.ptb4(1400), PacketDecoderTest.ptb6(1280), PacketDecoderTest.ptb6(70000),
                PacketDecoderTest.ptb6Behind(0, hopByHop));
        List<byte[]> out = new ArrayList<>();
        for (byte[] p : l3) {
            switch (type) {
                case ETHERNET:
                    out.add(Frames.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", p));
                    out.add(Frames.ethernet(Frames.BROADCAST, "02:00:00:00:00:01", p, Frames.dot1q(10)));
                    out.add(Frames.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", p, Frames.dot1ad(10), Frames.dot1q(20)));
                    break;
                case LINUX_SLL:
                    out.add(Frames.sll(0, "02:00:00:00:00:01", p));
                    break;
                case LINUX_SLL2:
                    out.add(Frames.sll2(3, 1, "02:00:00:00:00:01", p));
                    break;
                case IPV4:
                    if ((p[0] & 0xf0) == 0x40) {
                        out.add(p);
                    }
                    break;
                case IPV6:
                    if ((p[0] & 0xf0) == 0x60) {
                        out.add(p);
                    }
                    break;
                default:
                    out.add(p);
            }
        }
        return out;
    }

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] b;
        switch (r.nextInt(6)) {
            case 0: // truncate anywhere
                b = java.util.Arrays.copyOf(seed, r.nextInt(seed.length + 1));
                break;
            case 1: // extend with junk
                b = java.util.Arrays.copyOf(seed, seed.length + 1 + r.nextInt(64));
                for (int i = seed.length; i < b.length; i++) {
                    b[i] = (byte) r.nextInt();
                }
                break;
            default:
                b = seed.clone();
        }
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips && b.length > 0; i++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(4)) {
                case 0: b[at] = (byte) r.nextInt(); break;
                case 1: b[at] ^= (byte) (1 << r.nextInt(8)); break;
                case 2: b[at] = (byte) (r.nextBoolean() ? 0 : 0xff); break;
                default: b[at] = (byte) (b[at] + (r.nextBoolean() ? 1 : -1));
            }
        }
        return b;
    }

    private static void assertInside(Packet p, int from, int to, String what, int start, int length) {
        assertTrue(start >= from && length >= 0 && start + length <= to,
                () -> what + " [" + start + ", +" + length + ") outside [" + from + ", " + to + ")");
    }

    /** Every accessor of a valid packet reads inside [offset, offset+length) of its buffer. */
    private static void checkValid(Packet p) {
        int from = p.offset();
        int to = p.offset() + p.length();
        int l3 = p.l3Offset();
        int l3End = l3 + p.l3Length();
        int a = p.addressLength();
        assertTrue(p.ipVersion() == 4 || p.ipVersion() == 6);
        assertEquals(p.ipVersion() == 4 ? 4 : 16, a);
        assertInside(p, from, to, "l3", l3, p.l3Length());
        assertInside(p, l3, l3End, "outer header", l3, p.ipVersion() == 4 ? 20 : 40);
        assertInside(p, l3, l3End, "icmp header", p.icmpOffset(), 8);
        assertInside(p, l3, l3End, "icmp message", p.icmpOffset(), p.icmpLength());
        assertInside(p, l3, l3End, "outer source", p.outerSourceOffset(), a);
        assertInside(p, l3, l3End, "outer destination", p.outerDestinationOffset(), a);
        assertInside(p, l3, l3End, "inner header", p.innerOffset(), p.ipVersion() == 4 ? 20 : 40);
        assertInside(p, l3, l3End, "inner source", p.innerSourceOffset(), a);
        assertInside(p, l3, l3End, "inner destination", p.innerDestinationOffset(), a);
        assertInside(p, l3, l3End, "inner transport", p.innerTransportOffset(), 4);
        assertTrue(p.innerOffset() >= p.icmpOffset() + 8);
        assertTrue(p.innerTransportOffset() >= p.innerOffset() + 20);
        assertEquals(p.ipVersion() == 4 ? 3 : 2, p.icmpType());
        assertEquals(p.ipVersion() == 4 ? 4 : 0, p.icmpCode());
        assertTrue(p.nextHopMtu() >= 0 && p.nextHopMtu() <= (p.ipVersion() == 4 ? 0xffff : 0xffffffffL));
        assertTrue(p.vlanTags() >= 0 && p.vlanTags() <= 2);
        p.innerTransportWord();
        p.innerSourcePort();
        p.innerDestinationPort();
        p.innerProtocol();
        p.arrivedAsBroadcast();
        assertEquals(p.l3Length(), p.l3Bytes().length);
    }

    /** Writes the checksum the testkit's {@link Checksums} computes into the decoded packet's ICMP header. */
    private static void fixChecksum(Packet p) {
        byte[] b = p.buffer();
        int icmp = p.icmpOffset();
        b[icmp + 2] = 0;
        b[icmp + 3] = 0;
        int sum = p.ipVersion() == 4 ? Checksums.internet(b, icmp, p.icmpLength()) : Checksums.icmpv6(b, p.l3Offset(), icmp);
        b[icmp + 2] = (byte) (sum >>> 8);
        b[icmp + 3] = (byte) sum;
    }

    @Test
    void decoderNeverThrowsAndValidPacketsStayInsideTheirBytes() {
        Random r = new Random(SEED);
        LinkType[] types = LinkType.values();
        Packet p = new Packet();
        int valid = 0;
        int fixed = 0;
        int[] perType = new int[types.length];
        List<List<byte[]>> seedsByType = new ArrayList<>();
        for (LinkType type : types) {
            seedsByType.add(seeds(type));
        }
        for (int i = 0; i < INPUTS; i++) {
            LinkType type = types[i % types.length];
            byte[] data;
            if (r.nextInt(3) == 0) {
                data = new byte[r.nextInt(160)];
                r.nextBytes(data);
                if (data.length > 0 && r.nextBoolean()) { // steer random bytes towards IP headers
                    data[0] = (byte) (r.nextBoolean() ? 0x45 : 0x60);
                }
            } else {
                List<byte[]> s = seedsByType.get(type.ordinal());
                data = mutate(s.get(r.nextInt(s.size())), r);
            }
            // place the packet inside a larger buffer full of junk so that reading past it is detectable
            int pad = r.nextInt(8);
            byte[] buf = new byte[pad + data.length + r.nextInt(8)];
            r.nextBytes(buf);
            System.arraycopy(data, 0, buf, pad, data.length);
            final int n = i;
            LinkType t = r.nextInt(1000) == 0 ? null : type;
            p.wrap(buf, pad, data.length, t, n);
            boolean ok;
            try {
                ok = p.decode();
            } catch (RuntimeException e) {
                throw new AssertionError("input " + n + " (" + t + ", " + java.util.HexFormat.of().formatHex(data) + ") threw", e);
            }
            assertEquals(ok, p.isValid());
            if (!ok && InvalidReason.BAD_ICMP_CHECKSUM.equals(p.invalidReason()) && r.nextBoolean()) {
                // Refused for its checksum alone (the last check): with the checksum the testkit
                // computes written in, the same bytes must be valid, so that the bounds checks below
                // see mutated structures too, and the decoder's checksum agrees with the testkit's.
                fixChecksum(p);
                p.wrap(buf, pad, data.length, t, n);
                data = java.util.Arrays.copyOfRange(buf, pad, pad + data.length);
                ok = p.decode();
                assertTrue(ok, "input " + n + " with its checksum fixed: " + p.invalidReason());
                fixed++;
            }
            if (ok) {
                valid++;
                perType[type.ordinal()]++;
                try {
                    checkValid(p);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("input " + n + " (" + t + ", " + java.util.HexFormat.of().formatHex(data) + ")", e);
                }
                // the same bytes at offset 0 decode the same way
                Packet q = new Packet().wrap(data, 0, data.length, t, n);
                assertTrue(q.decode());
                assertEquals(p.l3Offset() - pad, q.l3Offset());
                assertEquals(p.nextHopMtu(), q.nextHopMtu());
            } else {
                assertTrue(InvalidReason.ALL.contains(p.invalidReason()), p.invalidReason());
            }
        }
        assertTrue(fixed > INPUTS / 50, "only " + fixed + " inputs refused for their checksum alone");
        // the mutations must leave enough valid packets that the bounds checks mean something
        assertTrue(valid > INPUTS / 20, "only " + valid + " valid inputs");
        for (LinkType type : types) {
            assertTrue(perType[type.ordinal()] > 1000, type + ": " + perType[type.ordinal()] + " valid inputs");
        }
    }
}
