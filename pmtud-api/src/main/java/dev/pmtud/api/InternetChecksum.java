package dev.pmtud.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The RFC 1071 internet checksum over byte ranges, as ICMP (the message alone) and ICMPv6 (the
 * message behind the IPv6 pseudo-header, RFC 8200 section 8.1) use it. Sums are kept unfolded in a
 * {@code long} so that parts can be added up before {@link #fold}; nothing is allocated.
 */
final class InternetChecksum {
    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private InternetChecksum() {
    }

    /** Adds the big-endian 16-bit words of {@code b[off, off + len)} to {@code sum} (an odd last byte is padded with zero). */
    static long add(long sum, byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        // 8 bytes per load: its two 32-bit halves added separately cannot overflow the long for any
        // packet (2^32 words would be needed), and fold() folds every carry back in.
        for (; i + 7 < end; i += 8) {
            long w = (long) BIG_ENDIAN_LONG.get(b, i);
            sum += (w >>> 32) + (w & 0xffff_ffffL);
        }
        for (; i + 3 < end; i += 4) {
            sum += (b[i] & 0xffL) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
        }
        // A 32-bit word adds its two 16-bit halves at once: the carries fold back in fold().
        for (; i + 1 < end; i += 2) {
            sum += (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        return sum;
    }

    /** The ones' complement of the folded sum: the value to write into a checksum field (0 when a received sum verifies). */
    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** The IPv6 pseudo-header of an upper-layer packet of {@code length} bytes and protocol {@code next}, from the IPv6 header at {@code ip}. */
    static long ipv6PseudoHeader(byte[] b, int ip, int length, int next) {
        return add(0, b, ip + 8, 32) + (length >>> 16) + (length & 0xffff) + next;
    }
}
