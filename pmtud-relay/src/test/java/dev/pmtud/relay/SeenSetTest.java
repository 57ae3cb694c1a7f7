package dev.pmtud.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeenSetTest {

    @Test
    void remembersUntilExpiryAndRefusesWhenFullOfUnexpiredEntries() {
        SeenSet s = new SeenSet(3);
        assertEquals(SeenSet.ADDED, s.add(1, 1, 100, 0));
        assertEquals(SeenSet.ADDED, s.add(1, 2, 200, 0));
        assertEquals(SeenSet.ADDED, s.add(2, 1, 300, 0));
        assertEquals(SeenSet.SEEN, s.add(1, 2, 200, 50));
        assertEquals(SeenSet.FULL, s.add(3, 3, 400, 50));
        assertEquals(SeenSet.FULL, s.add(3, 3, 400, 99), "nothing expired before 100");
        assertEquals(SeenSet.ADDED, s.add(3, 3, 400, 100), "the first entry expired at 100");
        assertEquals(3, s.size());
        assertEquals(SeenSet.SEEN, s.add(2, 1, 300, 100), "sweeping kept the unexpired ones findable");
        assertEquals(SeenSet.SEEN, s.add(1, 2, 200, 100));
    }

    /**
     * Against a plain map, with many home-slot collisions and interleaved expiries: an unexpired key
     * is always SEEN; a new key is FULL exactly when {@code capacity} unexpired entries are held.
     */
    @Test
    void agreesWithAReferenceModel() {
        Random r = new Random(42);
        int capacity = 64;
        SeenSet s = new SeenSet(capacity);
        Map<Long, Long> model = new HashMap<>(); // key -> expiry of its entry
        long now = 1;
        int full = 0;
        int seen = 0;
        for (int step = 0; step < 20_000; step++) {
            now += r.nextInt(3);
            long key = r.nextInt(300);
            long expiry = now + 1 + r.nextInt(200);
            Long known = model.get(key);
            int got = s.add(key * 0x9E3779B97F4A7C15L, ~key, expiry, now);
            if (known != null && known > now) {
                assertEquals(SeenSet.SEEN, got, "step " + step + ": an unexpired key");
                seen++;
                continue;
            }
            if (known != null && got == SeenSet.SEEN) {
                continue; // expired but not swept out yet: harmless, such a datagram is refused as too old first
            }
            long live = 0;
            for (long e : model.values()) {
                live += e > now ? 1 : 0;
            }
            assertEquals(live >= capacity ? SeenSet.FULL : SeenSet.ADDED, got, "step " + step + ": " + live + " live entries");
            if (got == SeenSet.ADDED) {
                model.put(key, expiry);
            } else {
                full++;
            }
        }
        // the run exercised all three answers
        assertEquals(true, full > 100 && seen > 100, "full " + full + ", seen " + seen);
    }
}
