package dev.pmtud.core.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BoundedKeyIndexTest {

    private static int writeKey(BoundedKeyIndex index, int k) {
        byte[] key = index.key();
        key[0] = (byte) (k >>> 24);
        key[1] = (byte) (k >>> 16);
        key[2] = (byte) (k >>> 8);
        key[3] = (byte) k;
        return 4;
    }

    private static final BoundedKeyIndex.Growth NONE = records -> { };

    /**
     * Random inserts, removals and lookups against a HashMap, with few keys so probe runs collide;
     * from one record grown to 64 (every doubling rebuilds the slots mid-run) and from all 64.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 64})
    void agreesWithAMapUnderRandomInsertsAndRemovals(int initialRecords) {
        int capacity = 64;
        BoundedKeyIndex index = new BoundedKeyIndex(capacity, 4, initialRecords, NONE);
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
        BoundedKeyIndex index = new BoundedKeyIndex(3, 4, NONE);
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
    @ParameterizedTest
    @ValueSource(ints = {1, 1000})
    void holdsExactlyTheNewestKeysUnderAFloodOfEvictions(int initialRecords) {
        int capacity = 1000;
        BoundedKeyIndex index = new BoundedKeyIndex(capacity, 4, initialRecords, NONE);
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

    /**
     * Records are allocated as keys arrive: doubled from the initial count, the last step cut to the
     * capacity, the owner told each new length before a record beyond its arrays is handed out, and
     * never again once the capacity is reached however many keys pass.
     */
    @Test
    void growsByDoublingToItsCapacityAndTellsTheOwnerFirst() {
        int capacity = 1000;
        List<Integer> told = new ArrayList<>();
        int[] ownerLength = {0};
        BoundedKeyIndex index = new BoundedKeyIndex(capacity, 4, 100, records -> {
            told.add(records);
            ownerLength[0] = records;
        });
        ownerLength[0] = index.records();
        assertEquals(100, index.records());
        for (int k = 0; k < 5_000; k++) {
            int r = index.insert(writeKey(index, k));
            assertTrue(r < ownerLength[0], "record " + r + " handed out beyond the owner's " + ownerLength[0]);
            assertEquals(index.records(), ownerLength[0]);
        }
        assertEquals(List.of(200, 400, 800, 1000), told);
        assertEquals(BoundedKeyIndex.INITIAL_RECORDS, new BoundedKeyIndex(1 << 20, 4, NONE).records());
        assertEquals(7, new BoundedKeyIndex(7, 4, NONE).records(), "a small index starts whole");
    }
}
