package dev.pmtud.core.filter;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Collection;

/**
 * An immutable set of exact IPv4 and IPv6 addresses, looked up straight from a packet's bytes without
 * allocating: IPv4 as sorted ints, IPv6 as sorted (high, low) long pairs, both binary-searched, so a
 * cluster of thousands of nodes costs a dozen comparisons per message.
 */
final class AddressTable {
    static final AddressTable EMPTY = new AddressTable(new int[0], new long[0]);

    private final int[] v4;
    /** Pairs: v6[2i] the high 64 bits, v6[2i + 1] the low 64 bits, sorted by (high, low) unsigned. */
    private final long[] v6;

    private AddressTable(int[] v4, long[] v6) {
        this.v4 = v4;
        this.v6 = v6;
    }

    static AddressTable of(Collection<? extends InetAddress> addresses) {
        int[] four = addresses.stream().filter(a -> a.getAddress().length == 4)
                .mapToInt(a -> readInt(a.getAddress(), 0)).sorted().distinct().toArray();
        long[][] six = addresses.stream().filter(a -> a.getAddress().length == 16)
                .map(a -> new long[] {readLong(a.getAddress(), 0), readLong(a.getAddress(), 8)})
                .sorted(AddressTable::compare).toArray(long[][]::new);
        long[] pairs = new long[six.length * 2];
        for (int i = 0; i < six.length; i++) {
            pairs[2 * i] = six[i][0];
            pairs[2 * i + 1] = six[i][1];
        }
        return new AddressTable(four, pairs);
    }

    int size() {
        return v4.length + v6.length / 2;
    }

    /** Whether the address of {@code length} (4 or 16) bytes at {@code buf[at]} is in the table. */
    boolean contains(byte[] buf, int at, int length) {
        if (length == 4) {
            return Arrays.binarySearch(v4, readInt(buf, at)) >= 0;
        }
        long hi = readLong(buf, at);
        long lo = readLong(buf, at + 8);
        int low = 0;
        int high = v6.length / 2 - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int c = compare(v6[2 * mid], v6[2 * mid + 1], hi, lo);
            if (c == 0) {
                return true;
            }
            if (c < 0) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return false;
    }

    private static int compare(long[] a, long[] b) {
        return compare(a[0], a[1], b[0], b[1]);
    }

    private static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    private static long readLong(byte[] b, int at) {
        return (long) readInt(b, at) << 32 | readInt(b, at + 4) & 0xffff_ffffL;
    }
}
