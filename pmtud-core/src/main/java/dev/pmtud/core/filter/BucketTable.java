package dev.pmtud.core.filter;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Token buckets kept per key (a source address, a source prefix) in a fixed-size table. A bucket is
 * a "theoretical arrival time" (GCRA, a token bucket in integer nanoseconds): with interval
 * {@code T = 1/rate}, a bucket of {@code burst} tokens is full when its time is at most now, and a
 * message fits when {@code tat - now <= (burst - 1) * T}. Integer time keeps refills exact however
 * many messages arrive in between. Time going backwards moves a bucket back by the same amount: no
 * refill, and no bucket stuck until time catches up.
 *
 * <p>At most {@code capacity} buckets, allocated as keys arrive ({@link BoundedKeyIndex}). A new key takes a record from a CLOCK hand that
 * prefers, within {@value #HAND_SKIPS} records, one whose bucket is full again and untouched for a
 * second (forgetting it loses nothing: it would restart full anyway), else one not touched since the
 * hand last passed; a key that keeps being touched keeps its bucket. A key is not moved when
 * touched, so a flood of messages from sources the table already holds forgets nobody, however
 * fast it comes (a least-recently-used order by message forgot a router that sends once a second
 * after {@code capacity} forged messages). Nothing is allocated after construction but the index's
 * doublings.
 */
final class BucketTable {
    /** Records the hand may pass over before it takes the one it is at. */
    static final int HAND_SKIPS = 16;
    /** How long a full bucket must be untouched before it is forgotten first (one second of an owner's counts, {@link #note}). */
    private static final long IDLE_NANOS = 1_000_000_000L;

    private final BoundedKeyIndex index;
    private long[] tat;
    private long[] lastSeen;
    /** One number per key that the owner keeps with the bucket ({@link #NO_NOTE} for a new key). */
    private long[] note;
    /** CLOCK's second chance: set when a held key is touched, cleared when the hand passes. */
    private boolean[] touched;
    private final IntPredicate reusable = this::reusable;
    private long insertNow;

    static final long NO_NOTE = Long.MIN_VALUE;

    BucketTable(int capacity, int keyWidth) {
        this.index = new BoundedKeyIndex(capacity, keyWidth, this::grow);
        int records = index.records();
        this.tat = new long[records];
        this.lastSeen = new long[records];
        this.note = new long[records];
        this.touched = new boolean[records];
    }

    private void grow(int records) {
        tat = Arrays.copyOf(tat, records);
        lastSeen = Arrays.copyOf(lastSeen, records);
        note = Arrays.copyOf(note, records);
        touched = Arrays.copyOf(touched, records);
    }

    /** The buffer the caller writes the key into before {@link #touch}. */
    byte[] key() {
        return index.key();
    }

    /**
     * The bucket of the first {@code length} bytes of {@link #key()} at {@code now} (a new key gets a
     * full bucket). Its number is valid until a new key is added.
     */
    int touch(int length, long now) {
        int r = index.find(length);
        if (r >= 0) {
            tat[r] -= Math.max(0, lastSeen[r] - now);
            lastSeen[r] = now;
            touched[r] = true;
            return r;
        }
        insertNow = now;
        r = index.insert(length, reusable, HAND_SKIPS);
        lastSeen[r] = now;
        tat[r] = now;
        note[r] = NO_NOTE;
        touched[r] = false;
        return r;
    }

    /** The hand's test at record {@code r}: forgettable now, or else its second chance used up. */
    private boolean reusable(int r) {
        if (tat[r] <= insertNow && insertNow - lastSeen[r] >= IDLE_NANOS) {
            return true;
        }
        boolean chance = touched[r];
        touched[r] = false;
        return !chance;
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

    /** Keys forgotten to make room for new ones. */
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
