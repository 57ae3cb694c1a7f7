package dev.pmtud.app.gopmtud;

import dev.pmtud.api.Values;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.function.ObjLongConsumer;

/**
 * A count per IP address read from a packet's bytes, for a label like go-pmtud's {@code source_ip}:
 * an open-addressing table of primitive keys, so counting an address seen before allocates nothing
 * (its label string is made once, the first time). At most {@code capacity} addresses get their own
 * count; the rest are counted together under {@link #OTHER}, so forged messages with ever new
 * addresses cannot grow the table (or the scrape) without bound. Not thread-safe: the caller locks.
 */
final class AddressCounts {
    /** The label of the addresses beyond the capacity. */
    static final String OTHER = "other";
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final int capacity;
    private final int mask;
    private final long[] hi;
    private final long[] lo;
    private final boolean[] v4;
    private final boolean[] used;
    private final long[] counts;
    private final String[] labels;
    private int size;
    private long other;

    AddressCounts(int capacity) {
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1; // at most half full
        this.mask = slots - 1;
        this.hi = new long[slots];
        this.lo = new long[slots];
        this.v4 = new boolean[slots];
        this.used = new boolean[slots];
        this.counts = new long[slots];
        this.labels = new String[slots];
    }

    /** Counts the address of {@code length} (4 or 16) bytes at {@code buf[offset]}. */
    void increment(byte[] buf, int offset, int length) {
        boolean four = length == 4;
        long h = four ? 0 : (long) LONG.get(buf, offset);
        long l = four ? (int) INT.get(buf, offset) & 0xffffffffL : (long) LONG.get(buf, offset + 8);
        int i = (int) (((h ^ l ^ (four ? 1 : 0)) * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (used[i]) {
            if (hi[i] == h && lo[i] == l && v4[i] == four) {
                counts[i]++;
                return;
            }
            i = (i + 1) & mask;
        }
        if (size >= capacity) {
            other++;
            return;
        }
        used[i] = true;
        hi[i] = h;
        lo[i] = l;
        v4[i] = four;
        counts[i] = 1;
        labels[i] = Values.formatAddress(buf, offset, length);
        size++;
    }

    /** Every address with its count, then {@link #OTHER} when addresses were counted beyond the capacity. */
    void forEach(ObjLongConsumer<String> each) {
        for (int i = 0; i < used.length; i++) {
            if (used[i]) {
                each.accept(labels[i], counts[i]);
            }
        }
        if (other > 0) {
            each.accept(OTHER, other);
        }
    }
}
