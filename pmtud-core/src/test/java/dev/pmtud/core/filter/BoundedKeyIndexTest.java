package dev.pmtud.core.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BoundedKeyIndexTest {

    private static int writeKey(BoundedKeyIndex index, int k) {
        byte[] key = index.key();
        key[0] = (byte) (k >>> 24);
        key[1] = (byte) (k >>> 16);
        key[2] = (byte) (k >>> 8);
        key[3] = (byte) k;
        return 4;
    }

    /** Random inserts, removals and lookups against a HashMap, with few keys so probe runs collide. */
    @Test
    void agreesWithAMapUnderRandomInsertsAndRemovals() {
        int capacity = 64;
        BoundedKeyIndex index = new BoundedKeyIndex(capacity, 4);
        Map<Integer, Integer> model = new HashMap<>();       // key -> record
        Integer[] byRecord = new Integer[capacity];
        Random random = new Random(42);
        for (int step = 0; step < 200_000; step++) {
            int k = random.nextInt(200);
            int len = writeKey(index, k);
            int found = index.find(len);
            Integer expected = model.get(k);
            assertEquals(expected == null ? -1 : expected, found, "lookup of " + k + " at step " + step);
            if (found >= 0 && random.nextBoolean()) {
                index.remove(found);
                model.remove(k);
                byRecord[found] = null;
            } else if (found < 0) {
                int r = index.insert(len);
                if (byRecord[r] != null) {
                    assertTrue(index.lastInsertEvicted());
                    model.remove(byRecord[r]);
                }
                byRecord[r] = k;
                model.put(k, r);
            }
            assertEquals(model.size(), index.size());
        }
    }

    @Test
    void evictsInRingOrderWhenFull() {
        BoundedKeyIndex index = new BoundedKeyIndex(3, 4);
        for (int k = 1; k <= 4; k++) {
            int len = writeKey(index, k);
            assertEquals(-1, index.find(len));
            index.insert(len);
        }
        assertTrue(index.lastInsertEvicted());
        assertEquals(-1, index.find(writeKey(index, 1)), "the first inserted is the first evicted");
        assertTrue(index.find(writeKey(index, 2)) >= 0);
        assertEquals(1, index.evictions());
    }

    /**
     * A flood of new keys through a full table: every insert evicts the oldest record (found through
     * the slot the index remembers for it, which backward shifts move), so after each insert exactly
     * the last {@code capacity} keys are held, at the records the ring gave them.
     */
    @Test
    void holdsExactlyTheNewestKeysUnderAFloodOfEvictions() {
        int capacity = 1000;
        BoundedKeyIndex index = new BoundedKeyIndex(capacity, 4);
        for (int k = 0; k < 300_000; k++) {
            int len = writeKey(index, k);
            assertEquals(-1, index.find(len), "new key " + k);
            int r = index.insert(len);
            assertEquals(k % capacity, r, "ring position of key " + k);
            assertEquals(k >= capacity, index.lastInsertEvicted());
            if (k % 997 == 0 || k > 300_000 - 3) {
                for (int old = Math.max(0, k - capacity + 1); old <= k; old++) {
                    assertEquals(old % capacity, index.find(writeKey(index, old)), "held key " + old + " after " + k);
                }
                if (k >= capacity) {
                    assertEquals(-1, index.find(writeKey(index, k - capacity)), "evicted key " + (k - capacity));
                }
            }
            assertEquals(Math.min(k + 1, capacity), index.size());
        }
        assertEquals(300_000 - capacity, index.evictions());
    }
}
