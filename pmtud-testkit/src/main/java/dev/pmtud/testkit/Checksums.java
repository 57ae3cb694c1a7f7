package dev.pmtud.testkit;

/** RFC 1071 internet checksums. */
public final class Checksums {
    private Checksums() {
    }

    public static int internet(byte[] b, int off, int len) {
        return fold(sum(b, off, len, 0));
    }

    /** The ICMPv6 checksum of the IPv6 packet at {@code off} (pseudo-header included). */
    public static int icmpv6(byte[] ip, int off) {
        return icmpv6(ip, off, off + 40);
    }

    /**
     * The ICMPv6 checksum of the IPv6 packet at {@code off} whose ICMPv6 message starts at
     * {@code icmpOff}, behind extension headers: the pseudo-header's length is the message's alone.
     */
    public static int icmpv6(byte[] ip, int off, int icmpOff) {
        int payloadLength = (ip[off + 4] & 0xff) << 8 | (ip[off + 5] & 0xff);
        int length = off + 40 + payloadLength - icmpOff;
        long s = sum(ip, off + 8, 32, 0);
        s += length;
        s += 58;
        s = sum(ip, icmpOff, length, s);
        return fold(s);
    }

    /** Whether the IPv4 ICMP or IPv6 ICMPv6 checksum of this packet verifies. */
    public static boolean icmpChecksumValid(byte[] ip) {
        if ((ip[0] & 0xf0) == 0x40) {
            int ihl = (ip[0] & 0x0f) * 4;
            int total = (ip[2] & 0xff) << 8 | (ip[3] & 0xff);
            return internet(ip, ihl, total - ihl) == 0;
        }
        return icmpv6(ip, 0) == 0;
    }

    private static long sum(byte[] b, int off, int len, long s) {
        int i = 0;
        for (; i + 1 < len; i += 2) {
            s += (b[off + i] & 0xff) << 8 | (b[off + i + 1] & 0xff);
        }
        if (i < len) {
            s += (b[off + i] & 0xff) << 8;
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }
}
