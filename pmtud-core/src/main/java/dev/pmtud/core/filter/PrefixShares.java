package dev.pmtud.core.filter;

/**
 * The total budget shared fairly among source prefixes (IPv4 /24, IPv6 /48 by default): each
 * prefix seen in the last second gets an equal share of the total rate, its own token bucket
 * refilled at {@code total / active prefixes} with the per-source burst. A flood from a few
 * networks, however many addresses it forges in them, gets a few shares, not the whole budget;
 * a router elsewhere keeps its share. Active prefixes are counted per second of packet time
 * (the larger of this second's count and the last one's), so the share follows a flood within a
 * second. Memory is fixed ({@link BucketTable}); nothing is allocated after construction.
 */
final class PrefixShares {
    private static final long WINDOW = 1_000_000_000L;

    private final BucketTable buckets;
    private final double totalPerSecond;
    private final long burst;
    private final int bits4;
    private final int bits6;
    private long window = Long.MIN_VALUE;
    private int activeNow;
    private int activeBefore;
    private int bucket;
    private long interval;

    PrefixShares(int capacity, double totalPerSecond, long burst, int bits4, int bits6) {
        this.buckets = new BucketTable(capacity, 1 + 16);
        this.totalPerSecond = totalPerSecond;
        this.burst = burst;
        this.bits4 = bits4;
        this.bits6 = bits6;
    }

    /**
     * Finds the bucket of the prefix of the source at {@code b[at, at + alen)}, counts the prefix as
     * active in this second, and says whether its share holds a token now; {@link #take} then takes it.
     */
    boolean fits(byte[] b, int at, int alen, long now) {
        int bits = alen == 4 ? bits4 : bits6;
        byte[] key = buckets.key();
        key[0] = (byte) alen;
        int whole = bits >>> 3;
        System.arraycopy(b, at, key, 1, whole);
        int length = 1 + whole;
        if ((bits & 7) != 0) {
            key[length++] = (byte) (b[at + whole] & (0xff00 >>> (bits & 7)));
        }
        int r = buckets.touch(length, now);
        long w = Math.floorDiv(now, WINDOW);
        if (w != window) {
            activeBefore = w == window + 1 ? activeNow : 0;
            activeNow = 0;
            window = w;
        }
        if (buckets.note(r) != w) { // the second it was last counted in
            buckets.note(r, w);
            activeNow++;
        }
        bucket = r;
        int active = Math.max(1, Math.max(activeNow, activeBefore));
        interval = BucketTable.intervalNanos(totalPerSecond / active);
        return buckets.fits(r, now, BucketTable.tolerance(interval, burst));
    }

    /** Takes a token from the bucket the last {@link #fits} found. */
    void take(long now) {
        buckets.take(bucket, now, interval);
    }

    /** Prefixes tracked now. */
    int size() {
        return buckets.size();
    }
}
