package dev.pmtud.core.filter;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import java.util.Collection;
import java.util.List;

/**
 * Token buckets per outer source address, like cloudflare/pmtud's hashlimit, plus an optional bucket
 * for all sources together. A new source starts with a full bucket. A packet is let through only
 * when both its source's bucket and the total bucket hold a token; a dropped packet takes no token
 * from either, so a source over its limit does not eat into the total.
 *
 * <p>The buckets are kept as a "theoretical arrival time" (GCRA, the token bucket in integer
 * nanoseconds): with interval {@code T = 1/rate}, a bucket of {@code burst} tokens is full when its
 * time is at most now, and a packet fits when {@code tat - now <= (burst - 1) * T}. Integer time
 * keeps refills exact however many packets arrive in between. Time going backwards moves the
 * bucket back by the same amount: no refill, and no bucket stuck until time catches up.
 *
 * <p>Memory is fixed at {@code maxSources} buckets. Every packet makes its source the most recently
 * used; when the table comes round, the least recently used source is forgotten (it restarts full
 * if it comes back, which can only let one extra burst through).
 */
public final class RateLimitFilter implements Filter {
    public static final String SOURCE_EXCEEDED = "source-rate-exceeded";
    public static final String TOTAL_EXCEEDED = "total-rate-exceeded";
    private static final Verdict DROP_SOURCE = Verdict.drop(SOURCE_EXCEEDED);
    private static final Verdict DROP_TOTAL = Verdict.drop(TOTAL_EXCEEDED);
    private static final int KEY_WIDTH = 1 + 16;

    private final long interval;
    private final long tolerance;
    private final boolean hasTotal;
    private final long totalInterval;
    private final long totalTolerance;
    private final BoundedKeyIndex index;
    private final long[] tat;
    private final long[] lastSeen;
    private long totalTat;
    private long totalLastSeen;
    private boolean totalStarted;

    /**
     * @param totalPerSecond 0 for no total limit
     */
    public RateLimitFilter(double perSourcePerSecond, long burst, double totalPerSecond, long totalBurst, int maxSources) {
        if (!(perSourcePerSecond > 0) || burst < 1 || totalPerSecond < 0 || totalPerSecond > 0 && totalBurst < 1) {
            throw new IllegalArgumentException("rates must be positive and bursts at least 1");
        }
        this.interval = intervalNanos(perSourcePerSecond);
        this.tolerance = tolerance(interval, burst);
        this.hasTotal = totalPerSecond > 0;
        this.totalInterval = hasTotal ? intervalNanos(totalPerSecond) : 0;
        this.totalTolerance = hasTotal ? tolerance(totalInterval, totalBurst) : 0;
        this.index = new BoundedKeyIndex(maxSources, KEY_WIDTH);
        this.tat = new long[maxSources];
        this.lastSeen = new long[maxSources];
    }

    private static long intervalNanos(double perSecond) {
        return Math.max(1, Math.round(1e9 / perSecond));
    }

    private static long tolerance(long interval, long burst) {
        // Saturate: a burst so large it overflows is as good as unlimited.
        return burst - 1 > Long.MAX_VALUE / 4 / interval ? Long.MAX_VALUE / 4 : (burst - 1) * interval;
    }

    @Override
    public Verdict apply(Packet packet) {
        long now = packet.timestampNanos();
        byte[] key = index.key();
        int alen = packet.addressLength();
        key[0] = (byte) alen;
        System.arraycopy(packet.buffer(), packet.outerSourceOffset(), key, 1, alen);
        int r = index.find(alen + 1);
        long sourceTat;
        if (r < 0) {
            sourceTat = now; // a full bucket
        } else {
            sourceTat = tat[r] - Math.max(0, lastSeen[r] - now);
            index.remove(r); // re-inserted below as the most recently used
        }
        r = index.insert(alen + 1);
        lastSeen[r] = now;
        tat[r] = sourceTat;
        if (sourceTat - now > tolerance) {
            return DROP_SOURCE;
        }
        if (hasTotal) {
            if (!totalStarted) {
                totalStarted = true;
                totalTat = now;
            } else if (now < totalLastSeen) {
                totalTat -= totalLastSeen - now;
            }
            totalLastSeen = now;
            if (totalTat - now > totalTolerance) {
                return DROP_TOTAL;
            }
            totalTat = Math.max(totalTat, now) + totalInterval;
        }
        tat[r] = Math.max(sourceTat, now) + interval;
        return Verdict.PASS;
    }

    /** Sources tracked now (at most maxSources). */
    public int size() {
        return index.size();
    }

    public int capacity() {
        return index.capacity();
    }

    /** Sources forgotten because the table came round to them while still tracked. */
    public long evictions() {
        return index.evictions();
    }

    @Override
    public Collection<String> dropReasons() {
        return hasTotal ? List.of(SOURCE_EXCEEDED, TOTAL_EXCEEDED) : List.of(SOURCE_EXCEEDED);
    }
}
