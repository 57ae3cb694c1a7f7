package dev.pmtud.core.filter;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import java.util.Collection;
import java.util.List;

/**
 * Token buckets per outer source address, like cloudflare/pmtud's hashlimit, and optionally a total
 * budget for all sources together that a flood of forged sources cannot take from the routers that
 * matter. A new source starts with a full bucket; a dropped message takes no token from anything.
 *
 * <p>With a total, admission is fair rather than first come:
 * <ul>
 *   <li><b>Known routers first.</b> Sources let through while the filter was calm are remembered
 *       ({@link KnownSources}: bounded, forgotten {@code knownFor} after their last message). Only
 *       they may take the last {@code reserve} tokens of the total bucket ({@link TotalBucket}),
 *       so a flood from sources never seen before leaves them room.</li>
 *   <li><b>Shares per source prefix.</b> While the total bucket is congested (it refused a message
 *       within the last {@link TotalBucket#CALM_AFTER}), a source that is not known also needs a
 *       token from its prefix's fair share ({@link PrefixShares}): a flood forging addresses in a
 *       few networks gets a few shares, not the whole budget.</li>
 *   <li><b>Within the total.</b> Every message let through takes a token from the total bucket, so
 *       what each peer receives never exceeds the total rate plus its burst, flood or not.</li>
 * </ul>
 * Packet time only, memory fixed (three bounded tables), verdicts preallocated, nothing allocated
 * per message.
 */
public final class RateLimitFilter implements Filter {
    public static final String SOURCE_EXCEEDED = "source-rate-exceeded";
    public static final String PREFIX_EXCEEDED = "prefix-share-exceeded";
    public static final String TOTAL_EXCEEDED = "total-rate-exceeded";
    private static final Verdict DROP_SOURCE = Verdict.drop(SOURCE_EXCEEDED);
    private static final Verdict DROP_PREFIX = Verdict.drop(PREFIX_EXCEEDED);
    private static final Verdict DROP_TOTAL = Verdict.drop(TOTAL_EXCEEDED);
    private static final int KEY_WIDTH = 1 + 16;

    /** How the total budget is shared; {@link #NONE} without one. */
    public record Sharing(double totalPerSecond, long totalBurst, int prefixBits4, int prefixBits6, int knownSources,
            long knownForNanos) {
        public static final Sharing NONE = new Sharing(0, 0, 24, 48, 0, 0);

        /** The tokens of the total burst only known sources may take: half of it (none without known sources). */
        long reserve() {
            return knownSources > 0 ? totalBurst / 2 : 0;
        }
    }

    private final long interval;
    private final long tolerance;
    private final BucketTable sources;
    private final TotalBucket total;
    private final PrefixShares prefixes;
    private final KnownSources known;

    public RateLimitFilter(double perSourcePerSecond, long burst, Sharing sharing, int maxSources) {
        if (!(perSourcePerSecond > 0) || burst < 1 || sharing.totalPerSecond() < 0
                || sharing.totalPerSecond() > 0 && sharing.totalBurst() < 1) {
            throw new IllegalArgumentException("rates must be positive and bursts at least 1");
        }
        this.interval = BucketTable.intervalNanos(perSourcePerSecond);
        this.tolerance = BucketTable.tolerance(interval, burst);
        this.sources = new BucketTable(maxSources, KEY_WIDTH);
        boolean hasTotal = sharing.totalPerSecond() > 0;
        this.total = hasTotal ? new TotalBucket(sharing.totalPerSecond(), sharing.totalBurst(), sharing.reserve()) : null;
        this.prefixes = hasTotal
                ? new PrefixShares(maxSources, sharing.totalPerSecond(), burst, sharing.prefixBits4(), sharing.prefixBits6())
                : null;
        this.known = hasTotal && sharing.knownSources() > 0
                ? new KnownSources(sharing.knownSources(), KEY_WIDTH, sharing.knownForNanos())
                : null;
    }

    @Override
    public Verdict apply(Packet packet) {
        long now = packet.timestampNanos();
        byte[] b = packet.buffer();
        int at = packet.outerSourceOffset();
        int alen = packet.addressLength();
        byte[] key = sources.key();
        key[0] = (byte) alen;
        System.arraycopy(b, at, key, 1, alen);
        int r = sources.touch(alen + 1, now);
        if (!sources.fits(r, now, tolerance)) {
            return DROP_SOURCE;
        }
        if (total != null) {
            total.advance(now);
            boolean congested = total.congested(now);
            boolean isKnown = false;
            if (known != null) {
                System.arraycopy(key, 0, known.key(), 0, alen + 1);
                isKnown = known.known(alen + 1, now, congested ? total.episodeStart() : now);
            }
            // Every unknown source is counted in its prefix's share; the share binds only under
            // congestion, and is only spent while it holds (so calm times build no debt).
            boolean share = !isKnown && prefixes.fits(b, at, alen, now);
            if (!isKnown && !share && congested) {
                return DROP_PREFIX;
            }
            if (!total.fits(now, isKnown)) {
                if (total.refused(now) && known != null) {
                    known.episodeStarted(now);
                }
                return DROP_TOTAL;
            }
            total.take(now);
            if (share) {
                prefixes.take(now);
            }
            if (known != null) {
                known.admitted(alen + 1, now, !congested);
            }
        }
        sources.take(r, now, interval);
        return Verdict.PASS;
    }

    /** Sources tracked now (at most maxSources). */
    public int size() {
        return sources.size();
    }

    public int capacity() {
        return sources.capacity();
    }

    /** Sources forgotten because the table came round to them while still tracked. */
    public long evictions() {
        return sources.evictions();
    }

    /** Source prefixes whose share is tracked now (0 without a total). */
    public int prefixes() {
        return prefixes == null ? 0 : prefixes.size();
    }

    /** Routers remembered from calm times (0 without a total or with known-sources 0). */
    public int knownSources() {
        return known == null ? 0 : known.size();
    }

    @Override
    public Collection<String> dropReasons() {
        return total != null ? List.of(SOURCE_EXCEEDED, PREFIX_EXCEEDED, TOTAL_EXCEEDED) : List.of(SOURCE_EXCEEDED);
    }
}
