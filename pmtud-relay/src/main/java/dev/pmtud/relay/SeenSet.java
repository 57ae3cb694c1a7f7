package dev.pmtud.relay;

/**
 * The authenticated datagrams accepted recently, so that each is injected at most once. A datagram
 * is known by its MAC (the first 16 bytes: unforgeable without the key, and unique per datagram
 * because the timestamp is inside) and remembered until {@code timestamp + max-age}, after which the
 * receiver refuses it as too old anyway.
 *
 * <p>Bounded: it holds at most {@code capacity} unexpired entries, and when it is full of them it
 * refuses the new datagram ({@link #FULL}) rather than forget one that could then be replayed.
 * Expired entries are swept out only when the set fills up, and a sweep is skipped while no entry
 * can have expired yet (the earliest expiry is tracked).
 *
 * <p>Open addressing with linear probing over primitive arrays (at most half full), deletion by
 * backward shift: nothing is allocated after construction. One thread (the source's).
 */
final class SeenSet {
    static final int ADDED = 0;
    static final int SEEN = 1;
    static final int FULL = 2;

    private final int capacity;
    private final int mask;
    private final long[] hi;
    private final long[] lo;
    /** When the entry may be forgotten (ns since the epoch); 0 marks an empty slot. */
    private final long[] expiry;
    private int size;
    /** The earliest expiry of any entry (exact: entries leave only in a sweep, which recomputes it). */
    private long earliest = Long.MAX_VALUE;

    SeenSet(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1; // a power of two >= 2 * capacity
        this.mask = slots - 1;
        this.hi = new long[slots];
        this.lo = new long[slots];
        this.expiry = new long[slots];
    }

    /** Entries held, expired ones not yet swept out included. */
    int size() {
        return size;
    }

    /**
     * Remembers the datagram {@code (hi, lo)} until {@code expiresAt}.
     *
     * @return {@link #ADDED}; {@link #SEEN} when it is already here (a replay); {@link #FULL} when
     *         {@code capacity} unexpired entries leave no room
     */
    int add(long hi, long lo, long expiresAt, long now) {
        if (expiresAt == 0) {
            expiresAt = 1; // 0 marks empty slots; a datagram from 1970 is refused as too old before it gets here
        }
        if (find(hi, lo) >= 0) {
            return SEEN;
        }
        if (size >= capacity) {
            if (now < earliest) {
                return FULL; // nothing can have expired: a sweep would find nothing
            }
            sweep(now);
            if (size >= capacity) {
                return FULL;
            }
        }
        int i = home(hi, lo);
        while (expiry[i] != 0) {
            i = (i + 1) & mask;
        }
        this.hi[i] = hi;
        this.lo[i] = lo;
        expiry[i] = expiresAt;
        size++;
        if (expiresAt < earliest) {
            earliest = expiresAt;
        }
        return ADDED;
    }

    private int find(long hi, long lo) {
        for (int i = home(hi, lo); expiry[i] != 0; i = (i + 1) & mask) {
            if (this.hi[i] == hi && this.lo[i] == lo) {
                return i;
            }
        }
        return -1;
    }

    private int home(long hi, long lo) {
        long h = (hi ^ lo) * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    /** Deletes every entry that expired by {@code now}; recomputes {@link #earliest}. */
    private void sweep(long now) {
        for (int i = 0; i <= mask; i++) {
            // a deletion shifts a later entry into slot i: look at it again
            while (expiry[i] != 0 && expiry[i] <= now) {
                delete(i);
            }
        }
        long e = Long.MAX_VALUE;
        for (int i = 0; i <= mask; i++) {
            if (expiry[i] != 0 && expiry[i] < e) {
                e = expiry[i];
            }
        }
        earliest = e;
    }

    /** Empties slot {@code hole} and moves later entries of its probe run back so that every one stays findable. */
    private void delete(int hole) {
        size--;
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (expiry[j] == 0) {
                break;
            }
            int h = home(hi[j], lo[j]);
            // the entry at j may move to the hole unless its home lies cyclically in (hole, j]
            boolean stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
            if (!stays) {
                hi[hole] = hi[j];
                lo[hole] = lo[j];
                expiry[hole] = expiry[j];
                hole = j;
            }
        }
        expiry[hole] = 0;
    }
}
