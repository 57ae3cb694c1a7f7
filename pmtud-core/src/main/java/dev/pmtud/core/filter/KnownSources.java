package dev.pmtud.core.filter;

import java.util.Arrays;

/**
 * Routers the rate-limit filter knows from before a flood: sources it let through while it was
 * calm, remembered (at most {@code capacity}, least recently admitted forgotten first) for
 * {@code knownFor} after their last admitted message. During a congestion episode a source counts
 * as known only when it was first let through at least {@link #GUARD} before the episode started:
 * the flood's own first messages, admitted before the bucket ran dry, are forgotten when it starts
 * ({@link #episodeStarted}), so that a flood that pauses and comes back is no better known. During
 * an episode no source is added: what a flood gets through never enters the table, so it cannot
 * push the real routers out. Packet time only; nothing is allocated after construction but the
 * index's doublings ({@link BoundedKeyIndex}).
 */
final class KnownSources {
    /** A source first seen less than this before a flood began is not trusted during it. */
    static final long GUARD = 1_000_000_000L;

    private final BoundedKeyIndex index;
    private long[] since;
    private long[] last;
    private final long knownFor;
    private int found;

    KnownSources(int capacity, int keyWidth, long knownForNanos) {
        this.index = new BoundedKeyIndex(capacity, keyWidth, this::grow);
        this.since = new long[index.records()];
        this.last = new long[index.records()];
        this.knownFor = knownForNanos;
    }

    private void grow(int records) {
        since = Arrays.copyOf(since, records);
        last = Arrays.copyOf(last, records);
    }

    /** The buffer the caller writes the source's key into before {@link #known}. */
    byte[] key() {
        return index.key();
    }

    /**
     * Whether the source in {@link #key()} ({@code length} bytes) is known at {@code now}; {@code ref}
     * is the start of the congestion episode, or {@code now} when calm. Remembers the lookup for
     * {@link #admitted}.
     */
    boolean known(int length, long now, long ref) {
        int r = index.find(length);
        found = r;
        return r >= 0 && since[r] <= ref - GUARD && now - last[r] <= knownFor;
    }

    /**
     * The source of the last {@link #known} call was let through at {@code now}: refresh it; when
     * {@code calm}, a new source is added (and one forgotten more than {@code knownFor} ago starts anew).
     */
    void admitted(int length, long now, boolean calm) {
        int r = found;
        if (r >= 0) {
            if (now - last[r] > knownFor) { // faded: what it was is no evidence any more
                if (!calm) {
                    return;
                }
                since[r] = now;
            }
            long first = since[r];
            index.remove(r); // re-inserted as the most recently admitted
            r = index.insert(length);
            since[r] = first;
            last[r] = now;
        } else if (calm) {
            r = index.insert(length);
            since[r] = now;
            last[r] = now;
        }
    }

    /**
     * A congestion episode started at {@code start}: forgets every source first let through less
     * than {@link #GUARD} before it. One pass over the table, once per episode.
     */
    void episodeStarted(long start) {
        for (int r = 0; r < since.length; r++) {
            if (index.holds(r) && since[r] > start - GUARD) {
                index.remove(r);
            }
        }
        found = -1;
    }

    int size() {
        return index.size();
    }
}
