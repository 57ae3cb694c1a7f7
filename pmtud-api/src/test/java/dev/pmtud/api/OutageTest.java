package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** An outage is told once when it starts and once when it ends, counted once, and answered as health. */
class OutageTest {
    private static final String LOGGER = "dev.pmtud.test.outage";
    /** Held: java.util.logging keeps loggers weakly, and a collected one would come back without the test's handler. */
    private static final Logger JUL = Logger.getLogger(LOGGER);

    /** A pipeline context whose metrics keep one counter, and whose logger a test can read. */
    private static final class Context implements PipelineContext {
        final Metrics.Counter outages = Metrics.NOOP.counter("x", "x");
        String counterName;
        List<String> counterTags;

        @Override
        public String nodeName() {
            return "node-a";
        }

        @Override
        public Metrics metrics() {
            return new Metrics() {
                @Override
                public Counter counter(String name, String help, String... tags) {
                    counterName = name;
                    counterTags = List.of(tags);
                    return outages;
                }

                @Override
                public void gauge(String name, String help, java.util.function.Supplier<Number> value, String... tags) {
                }

                @Override
                public void functionCounter(String name, String help, java.util.function.Supplier<Number> value, String... tags) {
                }
            };
        }

        @Override
        public PeerSet peers() {
            return null;
        }

        @Override
        public List<Cidr> excludedNetworks() {
            return List.of();
        }

        @Override
        public System.Logger logger() {
            return System.getLogger(LOGGER);
        }
    }

    private static final class Records extends Handler {
        final List<LogRecord> all = new ArrayList<>();

        @Override
        public synchronized void publish(LogRecord r) {
            all.add(r);
        }

        synchronized List<String> at(Level level) {
            return all.stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void toldOnceAtEachEndCountedOnceAndAnsweredAsHealth() {
        Context ctx = new Context();
        Records log = new Records();
        JUL.addHandler(log);
        try {
            AtomicLong now = new AtomicLong(5);
            Outage outage = new Outage(ctx, Outage.SINK, "raw", now::get);
            assertEquals("pmtud_sink_outages_total", ctx.counterName);
            assertEquals(List.of("sink", "raw"), ctx.counterTags);
            assertTrue(outage.health().ok());

            outage.begin("interface eth0 is gone");
            outage.begin("interface eth0 is gone"); // the same cause again: nothing new to tell
            for (int i = 0; i < 7; i++) {
                outage.failed("ENODEV");
            }
            assertFalse(outage.health().ok());
            assertTrue(outage.health().problem().startsWith("interface eth0 is gone since 20"), outage.health().problem());
            assertTrue(outage.end("interface eth0 is back as index 7"));
            assertFalse(outage.end("again"), "nothing to end twice");
            assertTrue(outage.health().ok());
            assertEquals(List.of("sink raw: failing: interface eth0 is gone; /readyz says so until it recovers"), log.at(Level.WARNING));
            assertEquals(List.of("sink raw: working again after 0 s (interface eth0 is back as index 7); "
                    + "7 messages were not delivered meanwhile"), log.at(Level.INFO));

            // from the sending path, later: the first failed message starts one, the first delivered one ends it
            now.addAndGet(Outage.FLAP_NANOS);
            AtomicInteger named = new AtomicInteger();
            for (int i = 0; i < 5; i++) {
                outage.failed(19, n -> {
                    named.incrementAndGet();
                    return "ENODEV";
                });
            }
            assertEquals(1, named.get(), "the errno is named only when the outage starts");
            assertEquals("nothing delivered (ENODEV)", outage.health().problem().substring(0, "nothing delivered (ENODEV)".length()));
            outage.delivered();
            assertTrue(outage.health().ok());
            assertEquals(2, ctx.outages.count(), "two outages");
            assertEquals(2, log.at(Level.WARNING).size(), "one line at each start, none per message");
            assertTrue(log.at(Level.INFO).get(1).endsWith("(delivered again); 5 messages were not delivered meanwhile"), log.at(Level.INFO).get(1));
        } finally {
            JUL.removeHandler(log);
        }
    }

    @Test
    void aFlappingCauseIsToldOncePerIntervalAndALastingUntoldSpellIsToldByItsSummary() {
        Context ctx = new Context();
        Records log = new Records();
        JUL.addHandler(log);
        try {
            AtomicLong now = new AtomicLong(-1_000); // nanoTime may be negative
            Outage outage = new Outage(ctx, Outage.SINK, "udp", now::get);
            int spells = 50;
            for (int i = 0; i < spells; i++) { // EAGAIN on every peer for a moment, 50 times in 5 s
                outage.failed("EAGAIN");
                now.addAndGet(1_000_000L);
                outage.delivered();
                now.addAndGet(99_000_000L);
            }
            assertEquals(spells, ctx.outages.count(), "every spell counted");
            assertEquals(List.of("sink udp: failing: nothing delivered (EAGAIN); /readyz says so until it recovers"), log.at(Level.WARNING));
            assertEquals(1, log.at(Level.INFO).size(), "only the told spell's end is told");

            // one that lasts: told by its summary once the interval has passed, then its end too
            outage.failed("ENETUNREACH");
            now.addAndGet(Outage.FLAP_NANOS / 2);
            outage.failed("ENETUNREACH");
            assertEquals(1, log.at(Level.WARNING).size(), "not yet");
            now.addAndGet(Outage.FLAP_NANOS);
            outage.tick();
            assertEquals(2, log.at(Level.WARNING).size(), log.at(Level.WARNING).toString());
            assertTrue(log.at(Level.WARNING).get(1).startsWith("sink udp: still failing after 15 s: nothing delivered (ENETUNREACH)"),
                    log.at(Level.WARNING).get(1));
            outage.delivered();
            assertEquals(2, log.at(Level.INFO).size());

            // after a quiet interval a new spell is told, with how many went untold before
            now.addAndGet(Outage.FLAP_NANOS);
            outage.begin("interface eth0 is gone");
            assertEquals("sink udp: failing: interface eth0 is gone; /readyz says so until it recovers "
                    + "(" + (spells - 1) + " shorter spells before this one were not told one by one)", log.at(Level.WARNING).get(2));
            outage.end("back");
            outage.begin("interface eth0 is gone");
            outage.end("back");
            now.addAndGet(Outage.FLAP_NANOS);
            outage.begin("interface eth0 is gone");
            assertTrue(log.at(Level.WARNING).get(3).endsWith("(1 shorter spells before this one were not told one by one)"),
                    log.at(Level.WARNING).get(3));
            assertEquals(spells + 4, ctx.outages.count());
        } finally {
            JUL.removeHandler(log);
        }
    }

    @Test
    void onlySinksAndSourcesHaveOutagesAndAFailingHealthHasAReason() {
        assertThrows(IllegalArgumentException.class, () -> new Outage(new Context(), "filter", "dedup"));
        assertThrows(IllegalArgumentException.class, () -> Health.failing(" "));
        assertEquals("failing: x", Health.failing(" x ").toString());
        assertEquals("ok", Health.OK.toString());
    }
}
