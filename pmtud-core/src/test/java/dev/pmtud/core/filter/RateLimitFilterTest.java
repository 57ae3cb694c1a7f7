package dev.pmtud.core.filter;

import static dev.pmtud.testkit.Packets.SECOND;
import static dev.pmtud.testkit.Packets.T0;
import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.map;
import static dev.pmtud.testkit.Cfg.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.Filter;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import dev.pmtud.testkit.Packets;
import dev.pmtud.testkit.Ptb;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitFilterTest {

    private static Filter perSource(String rate, int burst) {
        return FilterFactories.create(new RateLimitFilterFactory(),
                block(1, "rate-limit", "per-source", rate, "burst", String.valueOf(burst)));
    }

    private static Verdict at(Filter f, String source, long t) {
        Ptb m = source.contains(":") ? Ptb.v6().from(source) : Ptb.v4().from(source);
        return f.apply(Packets.of(m, t));
    }

    @Test
    void aNewSourceGetsItsBurstThenIsLimited() {
        int burst = 3;
        Filter f = perSource("1/s", burst);
        for (int i = 0; i < burst; i++) {
            assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0), "packet " + i + " of the burst");
        }
        assertEquals(RateLimitFilter.SOURCE_EXCEEDED, at(f, "203.0.113.1", T0).reason());
        assertEquals(Verdict.PASS, at(f, "203.0.113.2", T0), "another source has its own bucket");
    }

    @Test
    void refillsAtTheRate() {
        Filter f = perSource("2/s", 1);
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0));
        assertTrue(at(f, "203.0.113.1", T0 + SECOND / 2 - 1).isDrop(), "just under one token");
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0 + SECOND / 2), "one token after 1/rate");
        assertTrue(at(f, "203.0.113.1", T0 + SECOND / 2).isDrop());
    }

    @Test
    void refillStopsAtTheBurst() {
        Filter f = perSource("1/s", 2);
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0));
        long later = T0 + 3600 * SECOND;
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", later));
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", later));
        assertTrue(at(f, "203.0.113.1", later).isDrop(), "an hour idle refills only up to the burst of 2");
    }

    @Test
    void droppedPacketsTakeNoTokens() {
        Filter f = perSource("1/s", 1);
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0));
        for (int i = 1; i < 10; i++) {
            assertTrue(at(f, "203.0.113.1", T0 + i * (SECOND / 10)).isDrop());
        }
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0 + SECOND), "the drops did not delay the refill");
    }

    @Test
    void totalLimitsAllSourcesTogether() {
        Filter f = FilterFactories.create(new RateLimitFilterFactory(),
                block(1, "rate-limit", "per-source", "10/s", "burst", "10", "total", "3/s", "total-burst", "3", "known-sources", "0"));
        List<String> sources = List.of("203.0.113.1", "203.0.113.2", "203.0.113.3");
        for (String s : sources) {
            assertEquals(Verdict.PASS, at(f, s, T0));
        }
        assertEquals(RateLimitFilter.TOTAL_EXCEEDED, at(f, "203.0.113.4", T0).reason());
        assertEquals(Verdict.PASS, at(f, "203.0.113.4", T0 + SECOND / 3), "one total token after 1/3 s");
        assertTrue(f.dropReasons().containsAll(List.of(RateLimitFilter.SOURCE_EXCEEDED, RateLimitFilter.TOTAL_EXCEEDED)));
    }

    @Test
    void totalBurstDefaultsToTheTotalRate() {
        Filter f = FilterFactories.create(new RateLimitFilterFactory(),
                block(1, "rate-limit", "per-source", "10/s", "burst", "10", "total", "5/s", "known-sources", "0"));
        int passed = 0;
        for (int i = 0; i < 20; i++) {
            if (!at(f, "203.0.113." + (i + 1), T0).isDrop()) {
                passed++;
            }
        }
        assertEquals(5, passed);
    }

    @Test
    void timeGoingBackwardsRefillsNothingAndDoesNotStick() {
        Filter f = perSource("1/s", 1);
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0 + 100 * SECOND));
        assertTrue(at(f, "203.0.113.1", T0).isDrop(), "no refill from a backwards step");
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0 + SECOND),
                "the clock restarted at the backwards step instead of waiting 100 s to catch up");
    }

    @Test
    void ipv6SourcesDifferingOnlyAtTheEndAreSeparate() {
        Filter f = perSource("1/s", 1);
        assertEquals(Verdict.PASS, at(f, "2001:db8:ff::1", T0));
        assertTrue(at(f, "2001:db8:ff::1", T0).isDrop());
        assertEquals(Verdict.PASS, at(f, "2001:db8:ff::2", T0));
    }

    @Test
    void aBusySourceKeepsItsEmptyBucketWhileOthersComeAndGo() {
        Filter f = FilterFactories.create(new RateLimitFilterFactory(),
                block(1, "rate-limit", "per-source", "1/s", "burst", "1", "max-sources", "4"));
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0));
        for (int i = 0; i < 100; i++) {
            at(f, "198.51.100." + (i % 50 + 1), T0);
            assertTrue(at(f, "203.0.113.1", T0).isDrop(), "the busy source is never the least recently used");
        }
    }

    @Test
    void aSlowSourceKeepsItsBucketThroughAFloodFromSourcesTheTableHolds() {
        // 64 buckets; 50 sources send 10 000 messages between two of a router's, half a second apart:
        // the router's second message must still find its bucket empty (a table that forgot it, as one
        // ordered by messages did after 64 of them, would let it through with a full one)
        RateLimitFilter f = (RateLimitFilter) FilterFactories.create(new RateLimitFilterFactory(),
                block(1, "rate-limit", "per-source", "1/s", "burst", "1", "max-sources", "64"));
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0));
        for (int i = 0; i < 10_000; i++) {
            at(f, "198.51.100." + (i % 50 + 1), T0 + i * 40_000L);
        }
        assertTrue(at(f, "203.0.113.1", T0 + SECOND / 2).isDrop(), "the router's bucket was kept, still empty");
        assertEquals(0, f.evictions(), "nothing forgotten: 51 sources in 64 buckets");
        assertEquals(Verdict.PASS, at(f, "203.0.113.1", T0 + SECOND), "refilled after its second");
    }

    @Test
    void memoryStaysBoundedUnderAMillionDistinctSources() {
        int max = 4096;
        RateLimitFilter f = (RateLimitFilter) FilterFactories.create(new RateLimitFilterFactory(),
                block(1, "rate-limit", "per-source", "1/s", "burst", "1", "max-sources", String.valueOf(max)));
        byte[] l3 = Ptb.v4().build();
        Packet p = new Packet();
        int distinct = 1_000_000;
        int passed = 0;
        for (int i = 0; i < distinct; i++) {
            Packets.setOuterSourceV4(l3, i); // a different outer source each time
            p.wrap(l3, 0, l3.length, LinkType.RAW, T0);
            if (!f.apply(p).isDrop()) {
                passed++;
            }
        }
        assertEquals(distinct, passed, "every new source starts with a full bucket");
        assertEquals(max, f.size());
        assertEquals(distinct - max, f.evictions());
    }

    @Test
    void refusesBadRatesAndBursts() {
        ConfigException unit = assertThrows(ConfigException.class, () -> FilterFactories.create(
                new RateLimitFilterFactory(), map(2, "type", "rate-limit", "per-source", s(3, "10/fortnight"))));
        assertTrue(unit.getMessage().startsWith("pmtud.yaml:3: "), unit.getMessage());
        ConfigException zero = assertThrows(ConfigException.class, () -> FilterFactories.create(
                new RateLimitFilterFactory(), map(2, "type", "rate-limit", "total", s(4, "0/s"))));
        assertTrue(zero.getMessage().startsWith("pmtud.yaml:4: "), zero.getMessage());
        ConfigException burst = assertThrows(ConfigException.class, () -> FilterFactories.create(
                new RateLimitFilterFactory(), map(2, "type", "rate-limit", "burst", s(5, "0"))));
        assertTrue(burst.getMessage().startsWith("pmtud.yaml:5: "), burst.getMessage());
        ConfigException orphan = assertThrows(ConfigException.class, () -> FilterFactories.create(
                new RateLimitFilterFactory(), map(2, "type", "rate-limit", "total-burst", s(6, "5"))));
        assertTrue(orphan.getMessage().startsWith("pmtud.yaml:6: "), orphan.getMessage());
        assertTrue(orphan.getMessage().contains("total"), orphan.getMessage());
        for (String key : List.of("prefix-v4", "prefix-v6", "known-sources", "known-for")) {
            ConfigException alone = assertThrows(ConfigException.class, () -> FilterFactories.create(
                    new RateLimitFilterFactory(), map(2, "type", "rate-limit", key, s(7, key.equals("known-for") ? "1m" : "24"))));
            assertEquals("pmtud.yaml:7: filters[0] (rate-limit): '" + key + "' needs a total rate to share; add total: 100/s or remove "
                    + key, alone.getMessage());
        }
        ConfigException prefix = assertThrows(ConfigException.class, () -> FilterFactories.create(
                new RateLimitFilterFactory(), map(2, "type", "rate-limit", "total", s(3, "100/s"), "prefix-v4", s(8, "33"))));
        assertTrue(prefix.getMessage().startsWith("pmtud.yaml:8: "), prefix.getMessage());
    }
}
