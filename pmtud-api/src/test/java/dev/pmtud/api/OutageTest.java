package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** An outage is told once when it starts and once when it ends, counted once, and answered as health. */
class OutageTest {
    private static final String LOGGER = "dev.pmtud.test.outage";

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
        Logger.getLogger(LOGGER).addHandler(log);
        try {
            Outage outage = new Outage(ctx, Outage.SINK, "raw");
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

            // from the sending path: the first failed message starts one, the first delivered one ends it
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
            Logger.getLogger(LOGGER).removeHandler(log);
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
