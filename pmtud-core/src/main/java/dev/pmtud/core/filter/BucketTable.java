package dev.pmtud.core.filter;

/**
 * Token buckets kept per key (a source address, a source prefix) in a fixed-size table, in least
 * recently used order. A bucket is a "theoretical arrival time" (GCRA, a token bucket in integer
 * nanoseconds): with interval {@code T = 1/rate}, a bucket of {@code burst} tokens is full when its
 * time is at most now, and a message fits when {@code tat - now <= (burst - 1) * T}. Integer time
 * keeps refills exact however many messages arrive in between. Time going backwards moves a bucket
 * back by the same amount: no refill, and no bucket stuck until time catches up.
 *
 * <p>Memory is fixed at {@code capacity} buckets; when the table comes round, the least recently
 * touched key is forgotten (it restarts full if it comes back). Nothing is allocated after
 * construction.
 */
final class BucketTable {
    private final BoundedKeyIndex index;
    private final long[] tat;
    private final long[] lastSeen;
    /** One number per key that the owner keeps with the bucket ({@link #NO_NOTE} for a new key). */
    private final long[] note;

    static final long NO_NOTE = Long.MIN_VALUE;

    BucketTable(int capacity, int keyWidth) {
        this.index = new BoundedKeyIndex(capacity, keyWidth);
        this.tat = new long[capacity];
        this.lastSeen = new long[capacity];
        this.note = new long[capacity];
    }

    /** The buffer the caller writes the key into before {@link #touch}. */
    byte[] key() {
        return index.key();
    }

    /**
     * The bucket of the first {@code length} bytes of {@link #key()} at {@code now}, made the most
     * recently used (a new key gets a full bucket). Its number is valid until the next touch.
     */
    int touch(int length, long now) {
        int r = index.find(length);
        long bucketTat;
        long kept;
        if (r < 0) {
            bucketTat = now;
            kept = NO_NOTE;
        } else {
            bucketTat = tat[r] - Math.max(0, lastSeen[r] - now);
            kept = note[r];
            index.remove(r); // re-inserted below as the most recently used (another record number)
        }
        r = index.insert(length);
        lastSeen[r] = now;
        tat[r] = bucketTat;
        note[r] = kept;
        return r;
    }

    long note(int r) {
        return note[r];
    }

    void note(int r, long value) {
        note[r] = value;
    }

    /** Whether bucket {@code r} holds a token at {@code now}, given its {@code tolerance = (burst - 1) * interval}. */
    boolean fits(int r, long now, long tolerance) {
        return tat[r] - now <= tolerance;
    }

    /** Takes one token, an {@code interval} of time, from bucket {@code r}. */
    void take(int r, long now, long interval) {
        tat[r] = Math.max(tat[r], now) + interval;
    }

    int size() {
        return index.size();
    }

    int capacity() {
        return index.capacity();
    }

    /** Keys forgotten because the table came round to them while still tracked. */
    long evictions() {
        return index.evictions();
    }

    static long intervalNanos(double perSecond) {
        return Math.max(1, Math.round(1e9 / perSecond));
    }

    /** {@code (burst - 1) * interval}, saturated: a burst so large it overflows is as good as unlimited. */
    static long tolerance(long interval, long burst) {
        return burst - 1 > Long.MAX_VALUE / 4 / interval ? Long.MAX_VALUE / 4 : (burst - 1) * interval;
    }
}
