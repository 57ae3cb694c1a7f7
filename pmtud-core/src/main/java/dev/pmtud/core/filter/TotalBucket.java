package dev.pmtud.core.filter;

/**
 * The one bucket every source shares (GCRA, as {@link BucketTable}), with part of it held back:
 * a source the filter does not know may only take a token while {@code reserve} tokens stay in the
 * bucket, so routers known from before a flood always find some. It also remembers when it last
 * refused a message: within {@link #CALM_AFTER} of a refusal the filter is <em>congested</em>, and
 * the first refusal after a calm spell starts a congestion episode.
 */
final class TotalBucket {
    /** How long after its last refusal the bucket counts as congested. */
    static final long CALM_AFTER = 10_000_000_000L;

    private final long interval;
    private final long tolerance;
    private final long unknownTolerance;
    private long tat;
    private long lastSeen;
    private boolean started;
    private boolean refused;
    private long lastRefusal;
    private long episodeStart;

    /** @param reserve tokens an unknown source may not take (less than {@code burst}) */
    TotalBucket(double perSecond, long burst, long reserve) {
        this.interval = BucketTable.intervalNanos(perSecond);
        this.tolerance = BucketTable.tolerance(interval, burst);
        this.unknownTolerance = BucketTable.tolerance(interval, burst - reserve);
    }

    /** Moves to {@code now} (time going backwards moves the bucket back too); call once per message first. */
    void advance(long now) {
        if (!started) {
            started = true;
            tat = now;
        } else if (now < lastSeen) {
            tat -= lastSeen - now;
        }
        lastSeen = now;
    }

    /** Whether a known ({@code known}) or unknown source may take a token now. */
    boolean fits(long now, boolean known) {
        return tat - now <= (known ? tolerance : unknownTolerance);
    }

    void take(long now) {
        tat = Math.max(tat, now) + interval;
    }

    /** Notes a refusal at {@code now}; returns whether it started an episode (the bucket was calm). */
    boolean refused(long now) {
        boolean starts = !congested(now);
        if (starts) {
            episodeStart = now;
        }
        refused = true;
        lastRefusal = now;
        return starts;
    }

    /** Whether the bucket refused a message within {@link #CALM_AFTER} of {@code now}. */
    boolean congested(long now) {
        return refused && now - lastRefusal <= CALM_AFTER && now - lastRefusal >= -CALM_AFTER;
    }

    /** When the current (or last) congestion episode started. */
    long episodeStart() {
        return episodeStart;
    }
}
