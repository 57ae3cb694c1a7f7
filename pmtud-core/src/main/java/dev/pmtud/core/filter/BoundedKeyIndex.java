package dev.pmtud.core.filter;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * A bounded map from short byte keys to record numbers {@code 0..capacity-1}, for filters that keep
 * per-key state in their own primitive arrays.
 *
 * <p>Records are handed out in a ring, so record order is insertion order: when the ring comes round
 * to a record that is still in use, that record (the one inserted longest ago) is evicted and
 * reused. A caller that wants least-recently-used order re-inserts a key when it touches it
 * ({@link #remove} then {@link #insert}), which leaves a hole the ring later reuses for free.
 * The key lookup is open addressing with linear probing at load factor at most one half, and
 * deletion by backward shift (no tombstones, so lookups never degrade).
 *
 * <p>Memory follows use: the index starts with {@link #INITIAL_RECORDS} records (or fewer, if that is
 * its capacity) and doubles when the ring reaches the end of what it has, up to {@code capacity};
 * the owner's {@link Growth} copies its per-record arrays at the same moment. The ring never wraps
 * before the index is at its capacity, so which key is evicted when is exactly as for an index that
 * had all its records from the start; a table of 16,384 sources costs a few KiB until a flood fills
 * it. Growing is the only allocation after construction, at most log2(capacity / initial) times in
 * the life of the index (it never shrinks).
 *
 * <p>Use: write the key into {@link #key()}, call {@link #find(int)}; if absent, {@link #insert(int)}
 * (which reuses the hash {@code find} computed).
 */
public final class BoundedKeyIndex {
    private static final long EMPTY = -1L;
    private static final long RECORD = 0xFFFF_FFFFL;
    /** Records an index starts with: 1,024 keys of a dedup filter take 62 KiB. */
    static final int INITIAL_RECORDS = 1024;

    /** The owner's per-record arrays, grown with the index. */
    @FunctionalInterface
    public interface Growth {
        /** Makes every per-record array {@code records} long, keeping records {@code 0..records/2}. */
        void grow(int records);
    }

    private final int capacity;
    private final int keyWidth;
    private final Growth growth;
    /**
     * Per slot: the low 32 bits of the key's hash (which contain its home slot) in the high half and
     * the record number in the low half, or EMPTY. A probe rejects a slot of another key, and the
     * backward shift finds an entry's home, without loading anything else.
     */
    private long[] slots;
    private int mask;
    private int[] recordSlot;      // the slot that points at each held record
    private byte[] recordKeys;     // records * keyWidth
    private byte[] recordKeyLength; // 0 = free record
    private int records;           // records allocated: INITIAL_RECORDS doubled up to capacity
    private final byte[] scratch;
    private int next;                    // the ring position the next insert takes
    private int size;
    private long evictions;
    private long lastHash;
    private boolean lastInsertEvicted;

    /**
     * @param capacity most keys held at once
     * @param keyWidth longest key in bytes (at most 127)
     * @param growth   grows the owner's per-record arrays; they start {@link #records()} long
     */
    public BoundedKeyIndex(int capacity, int keyWidth, Growth growth) {
        this(capacity, keyWidth, INITIAL_RECORDS, growth);
    }

    BoundedKeyIndex(int capacity, int keyWidth, int initialRecords, Growth growth) {
        if (capacity < 1 || capacity > (1 << 29)) {
            throw new IllegalArgumentException("capacity must be 1.." + (1 << 29) + ", not " + capacity);
        }
        if (keyWidth < 1 || keyWidth > 127) {
            throw new IllegalArgumentException("key width must be 1..127, not " + keyWidth);
        }
        if (initialRecords < 1) {
            throw new IllegalArgumentException("initial records must be positive, not " + initialRecords);
        }
        this.capacity = capacity;
        this.keyWidth = keyWidth;
        this.growth = growth;
        this.records = Math.min(capacity, initialRecords);
        this.slots = emptySlots(records);
        this.mask = slots.length - 1;
        this.recordSlot = new int[records];
        this.recordKeys = new byte[records * keyWidth];
        this.recordKeyLength = new byte[records];
        this.scratch = new byte[keyWidth];
    }

    /** A slot table of at least twice {@code records} (a power of two), all empty. */
    private static long[] emptySlots(int records) {
        long[] t = new long[Integer.highestOneBit(Math.max(2, records) * 2 - 1) << 1];
        Arrays.fill(t, EMPTY);
        return t;
    }

    /** Records allocated now (the length the owner's per-record arrays have). */
    public int records() {
        return records;
    }

    /** The buffer the caller writes the key to look up into. */
    public byte[] key() {
        return scratch;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    /** Records taken back from a key still held, because the ring came round to it. */
    public long evictions() {
        return evictions;
    }

    /** The record holding the first {@code length} bytes of {@link #key()}, or -1. */
    public int find(int length) {
        long h = hash(scratch, length);
        lastHash = h;
        int fingerprint = (int) h;
        for (int s = fingerprint & mask; ; s = (s + 1) & mask) {
            long slot = slots[s];
            if (slot == EMPTY) {
                return -1;
            }
            if ((int) (slot >>> 32) == fingerprint) {
                int r = (int) slot;
                if (recordKeyLength[r] == length
                        && Arrays.equals(recordKeys, r * keyWidth, r * keyWidth + length, scratch, 0, length)) {
                    return r;
                }
            }
        }
    }

    /**
     * Adds the key last passed to {@link #find} (which must have returned -1) and returns its record.
     * The record may have held an evicted key; {@link #lastInsertEvicted()} tells, and the caller's
     * arrays still hold that key's state until the caller overwrites them.
     */
    public int insert(int length) {
        if (next == records) {
            grow();
        }
        int r = next;
        next = next + 1 == capacity ? 0 : next + 1;
        lastInsertEvicted = recordKeyLength[r] != 0;
        if (lastInsertEvicted) {
            evictions++;
            remove(r);
        }
        recordKeyLength[r] = (byte) length;
        System.arraycopy(scratch, 0, recordKeys, r * keyWidth, length);
        int fingerprint = (int) lastHash;
        int s = fingerprint & mask;
        while (slots[s] != EMPTY) {
            s = (s + 1) & mask;
        }
        slots[s] = (long) fingerprint << 32 | r;
        recordSlot[r] = s;
        size++;
        return r;
    }

    /**
     * {@link #insert(int)}, but the ring's hand first passes over up to {@code maxSkips} held records
     * that {@code reusable} refuses (a CLOCK hand: the test may clear a record's second chance). A
     * busy key keeps its record while an idle one lies near; when none does, the record at the hand
     * is taken anyway, so an insert costs at most {@code maxSkips} tests.
     */
    public int insert(int length, IntPredicate reusable, int maxSkips) {
        for (int i = 0; i < maxSkips && next < records && recordKeyLength[next] != 0 && !reusable.test(next); i++) {
            next = next + 1 == capacity ? 0 : next + 1;
        }
        return insert(length);
    }

    /**
     * The ring reached the end of the records there are (so every record was handed out at least
     * once, and the ring has never wrapped): double them. The slot table is rebuilt from the slots'
     * fingerprints (the low 32 bits of each key's hash, which contain its home slot in any table up
     * to 2^32), so no key is hashed again.
     */
    private void grow() {
        int grown = (int) Math.min(capacity, 2L * records);
        long[] old = slots;
        slots = emptySlots(grown);
        mask = slots.length - 1;
        recordSlot = Arrays.copyOf(recordSlot, grown);
        recordKeys = Arrays.copyOf(recordKeys, grown * keyWidth);
        recordKeyLength = Arrays.copyOf(recordKeyLength, grown);
        for (long slot : old) {
            if (slot != EMPTY) {
                int s = (int) (slot >>> 32) & mask;
                while (slots[s] != EMPTY) {
                    s = (s + 1) & mask;
                }
                slots[s] = slot;
                recordSlot[(int) (slot & RECORD)] = s;
            }
        }
        records = grown;
        growth.grow(grown);
    }

    /** Whether the last {@link #insert} took the record of a key still held. */
    public boolean lastInsertEvicted() {
        return lastInsertEvicted;
    }

    /** Whether record {@code r} holds a key. */
    public boolean holds(int r) {
        return recordKeyLength[r] != 0;
    }

    /** Forgets the key of record {@code r}; the record becomes free. */
    public void remove(int r) {
        if (recordKeyLength[r] == 0) {
            return;
        }
        // Backward-shift deletion: pull later entries of the probe run into the gap when their
        // home slot does not lie cyclically between the gap and their current slot.
        int gap = recordSlot[r];
        for (int j = (gap + 1) & mask; ; j = (j + 1) & mask) {
            long slot = slots[j];
            if (slot == EMPTY) {
                break;
            }
            int home = (int) (slot >>> 32) & mask;
            boolean stays = gap <= j ? (gap < home && home <= j) : (gap < home || home <= j);
            if (!stays) {
                slots[gap] = slot;
                recordSlot[(int) (slot & RECORD)] = gap;
                gap = j;
            }
        }
        slots[gap] = EMPTY;
        recordKeyLength[r] = 0;
        size--;
    }

    /** Forgets every key (the records stay allocated). */
    public void clear() {
        Arrays.fill(slots, EMPTY);
        Arrays.fill(recordKeyLength, (byte) 0);
        size = 0;
        next = 0;
    }

    private static long hash(byte[] b, int length) {
        long h = 0x9E3779B97F4A7C15L ^ length;
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            h = (h ^ longAt(b, i)) * 0xff51afd7ed558ccdL;
            h ^= h >>> 32;
        }
        long tail = 0;
        for (; i < length; i++) {
            tail = tail << 8 | (b[i] & 0xff);
        }
        h = (h ^ tail) * 0xc4ceb9fe1a85ec53L;
        // murmur3 fmix64: spreads every input bit over the low bits the table uses
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static long longAt(byte[] b, int i) {
        return (b[i] & 0xffL) << 56 | (b[i + 1] & 0xffL) << 48 | (b[i + 2] & 0xffL) << 40 | (b[i + 3] & 0xffL) << 32
                | (b[i + 4] & 0xffL) << 24 | (b[i + 5] & 0xffL) << 16 | (b[i + 6] & 0xffL) << 8 | (b[i + 7] & 0xffL);
    }
}
