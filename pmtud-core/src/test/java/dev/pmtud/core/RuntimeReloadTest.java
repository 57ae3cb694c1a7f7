package dev.pmtud.core;

import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.list;
import static dev.pmtud.testkit.Cfg.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.core.ReloadReport.Action;
import dev.pmtud.core.SequenceSinkFactory.SequenceSink;
import dev.pmtud.core.StreamSourceFactory.StreamSource;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.PromText;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running runtime turned into a new configuration: what is unchanged is kept (a source's
 * thread, a filter's state, a series), every message is handled exactly once across the swap, a
 * refused configuration changes nothing, and the series follow the components.
 */
class RuntimeReloadTest {
    private static final PluginRegistry REGISTRY = NodeRuntimeTest.REGISTRY;
    private static final Duration AWAIT = Duration.ofSeconds(20);
    /** How many more messages each configuration must relay before the next reload: traffic flows through every one. */
    private static final int PER_GENERATION = 2_000;

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private static ConfigNode config(ConfigNode peers, ConfigNode sources, ConfigNode filters, ConfigNode sinks) {
        return map(1, "node", "node-a", "peers", peers, "sources", sources, "filters", filters, "sinks", sinks);
    }

    private NodeRuntimeBuilder builder(ConfigNode root) {
        return NodeRuntime.builder(root, REGISTRY).meterRegistry(meters).ownAddresses(Set::of);
    }

    private NodeRuntime started(ConfigNode root) throws Exception {
        NodeRuntime rt = builder(root).build();
        rt.start();
        return rt;
    }

    private ReloadReport reload(NodeRuntime rt, ConfigNode root) {
        return rt.prepareReload(builder(root)).apply();
    }

    private static Pipeline main(NodeRuntime rt) {
        return NodeRuntimeTest.main(rt);
    }

    private static StreamSource source(NodeRuntime rt) {
        return (StreamSource) main(rt).sourceRunners().get(0).source();
    }

    private static SequenceSink sink(NodeRuntime rt, String name) {
        return (SequenceSink) main(rt).sinkStages().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().sink();
    }

    private PromText scrape() {
        return PromText.parse(meters.scrape());
    }

    private static List<Map<String, String>> series(PromText text, String name) {
        return text.samples(name).stream().map(PromText.Sample::labels).toList();
    }

    /** The one series of {@code name} whose labels include {@code labels}; fails unless there is exactly one. */
    private static double value(PromText text, String name, Map<String, String> labels) {
        List<PromText.Sample> found = text.samples(name).stream()
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet())).toList();
        assertEquals(1, found.size(), name + labels + " among " + text.samples(name));
        return found.get(0).value();
    }

    private static boolean hasSeries(PromText text, String name, String key, String value) {
        return series(text, name).stream().anyMatch(l -> value.equals(l.get(key)));
    }

    /**
     * A stream at full speed through five reloads that change a filter, add and remove a sink and
     * change the peers: the source keeps its thread, and every message it sent was received once,
     * forwarded once and reached the kept sink once; the sink added for a while saw a gap-free run.
     */
    @Test
    void aSteadyStreamThroughReloadsIsHandledExactlyOnce() throws Exception {
        ConfigNode sources = list(3, block(3, "test-stream"));
        NodeRuntime rt = started(config(list(2, block(2, "static", "addresses", List.of("198.51.100.2"))), sources,
                list(4, block(4, "mtu-range")), list(5, block(5, "test-sequence", "name", "all"))));
        try {
            StreamSource stream = source(rt);
            SequenceSink all = sink(rt, "all");
            Await.until(AWAIT, "the stream to flow", () -> all.count() >= PER_GENERATION);
            Thread thread = stream.ranOn();
            for (int i = 1; i <= 5; i++) {
                boolean extra = i % 2 == 1;
                ConfigNode sinks = extra
                        ? list(5, block(5, "test-sequence", "name", "all"), block(6, "test-sequence", "name", "extra"))
                        : list(5, block(5, "test-sequence", "name", "all"));
                ConfigNode root = config(list(2, block(2, "static", "addresses", List.of("198.51.100.2", "198.51.100." + (10 + i)))),
                        sources, list(4, block(4, "mtu-range", "max", String.valueOf(9000 + i))), sinks);
                ReloadReport report = reload(rt, root);
                assertTrue(report.ok(), report.toString());
                assertEquals(List.of("test-stream"), report.names("main", "source", Action.KEPT));
                assertEquals(List.of("mtu-range"), report.names("main", "filter", Action.REPLACED));
                assertEquals(List.of("all"), report.names("main", "sink", Action.KEPT));
                assertEquals(List.of("static"), report.names("", "peers", Action.REPLACED));
                assertSame(stream, source(rt), "the same source instance");
                assertSame(thread, stream.ranOn(), "still on its thread");
                assertTrue(thread.isAlive());
                assertEquals(1, stream.opens(), "never opened again");
                assertEquals(Set.of(InetAddress.getByName("198.51.100.2"), InetAddress.getByName("198.51.100." + (10 + i))),
                        rt.peers().current());
                long now = all.count();
                Await.until(AWAIT, "messages through configuration " + i, () -> all.count() >= now + PER_GENERATION);
            }
            SequenceSink extra = sink(rt, "extra");
            long extraFrom = extra.count();
            assertTrue(extraFrom > 0 && extra.duplicates() == 0, "the last sink added relays too");
            rt.close();
            int sent = stream.sent();
            Pipeline.Summary summary = main(rt).summary();
            assertEquals(sent, summary.received(), "every message sent was received once");
            assertEquals(sent, summary.forwarded(), "and forwarded once");
            assertEquals(0, summary.invalid() + summary.droppedTotal());
            assertEquals(sent, all.count(), "the kept sink got each one");
            assertEquals(0, all.duplicates(), "none twice");
            assertEquals(sent, all.distinctBelow(sent), "none missing");
            assertTrue(extra.closed(), "the sink added last was closed at stop");
        } finally {
            rt.close();
        }
    }

    /** An unchanged dedup keeps its entries across a reload that changes something else; a changed one starts empty. */
    @Test
    void anUnchangedFilterKeepsItsState() throws Exception {
        ConfigNode sources = list(3, block(3, "test-stream", "feed", "true"));
        ConfigNode dedup = list(4, block(4, "dedup", "window", "1h"));
        NodeRuntime rt = started(config(null, sources, dedup, list(5, block(5, "test-sequence"))));
        try {
            StreamSource feed = source(rt);
            feed.feed(7);
            Await.until(AWAIT, "the first message forwarded", () -> main(rt).summary().forwarded() == 1);
            assertEquals(1.0, value(scrape(), "pmtud_dedup_entries", Map.of("filter", "dedup")), "one entry");

            ReloadReport kept = reload(rt, config(null, sources, dedup,
                    list(5, block(5, "test-sequence"), block(6, "test-sequence", "name", "second"))));
            assertEquals(List.of("dedup"), kept.names("main", "filter", Action.KEPT), kept.toString());
            feed.feed(7);
            Await.until(AWAIT, "the repeat dropped", () -> main(rt).summary().droppedTotal() == 1);
            assertEquals(Map.of("dedup", 1L), main(rt).summary().dropped(), "as a duplicate: the entry survived the reload");
            assertEquals(1, main(rt).summary().forwarded());

            ReloadReport replaced = reload(rt, config(null, sources, list(4, block(4, "dedup", "window", "2h")),
                    list(5, block(5, "test-sequence"))));
            assertEquals(List.of("dedup"), replaced.names("main", "filter", Action.REPLACED), replaced.toString());
            assertEquals(0.0, value(scrape(), "pmtud_dedup_entries", Map.of("filter", "dedup")), "the gauge reads the new, empty table");
            feed.feed(7);
            Await.until(AWAIT, "the message forwarded by the new dedup", () -> main(rt).summary().forwarded() == 2);
            assertEquals(1.0, value(scrape(), "pmtud_dedup_entries", Map.of("filter", "dedup")));
            assertEquals(Map.of("dedup", 1L), main(rt).summary().dropped(), "the replaced filter's drop still counts");
            assertEquals(1.0, value(scrape(), "pmtud_dropped_total", Map.of("filter", "dedup", "reason", "duplicate")),
                    "a filter replaced under its name continues its series");
        } finally {
            rt.close();
        }
    }

    /**
     * A configuration that does not build is refused before anything changes: the running
     * pipeline keeps its components and relays, and the series the refused build made are gone.
     */
    @Test
    void aBrokenConfigurationChangesNothing() throws Exception {
        ConfigNode sources = list(3, block(3, "test-stream", "feed", "true"));
        NodeRuntime rt = started(config(null, sources, list(4, block(4, "dedup")), list(5, block(5, "test-sequence"))));
        try {
            Pipeline before = main(rt);
            SequenceSink kept = sink(rt, "test-sequence");
            ConfigNode broken = config(null, sources, list(4, block(4, "dedup")),
                    list(5, block(5, "test-sequence", "name", "new-one"), block(9, "test-sequence", "tagg", "x")));
            ConfigException e = assertThrows(ConfigException.class, () -> rt.prepareReload(builder(broken)));
            assertEquals(9, e.line(), e.getMessage());
            assertTrue(e.getMessage().contains("unknown key 'tagg' (did you mean 'tag'?)"), e.getMessage());
            assertSame(before, main(rt));
            assertSame(kept, sink(rt, "test-sequence"));
            assertFalse(hasSeries(scrape(), "pmtud_sink_sent_total", "sink", "new-one"), "the refused build's series were removed");
            source(rt).feed(1);
            Await.until(AWAIT, "the running pipeline to relay", () -> kept.count() == 1);

            ConfigNode renamed = map(1, "node", "node-b", "sources", sources);
            ConfigException node = assertThrows(ConfigException.class, () -> rt.prepareReload(builder(renamed)));
            assertTrue(node.problem().startsWith("node: 'node-b' is not the running 'node-a'"), node.getMessage());
        } finally {
            rt.close();
        }
    }

    /** Removed components' series disappear; new ones exist at zero; a sink that cannot open is reported and left out. */
    @Test
    void seriesFollowTheComponentsAndAFailedOpenIsReported() throws Exception {
        ConfigNode sources = list(3, block(3, "test-stream", "feed", "true"));
        NodeRuntime rt = started(config(null, sources, list(4, block(4, "rate-limit")), list(5, block(5, "test-sequence", "name", "a"))));
        try {
            source(rt).feed(1);
            Await.until(AWAIT, "a message through sink a", () -> sink(rt, "a").count() == 1);
            ReloadReport report = reload(rt, config(null, sources, list(4, block(4, "mtu-range")),
                    list(5, block(5, "test-sequence", "name", "b"), block(6, "test-sequence", "name", "c", "fail-open", "on purpose"))));
            assertEquals(List.of("pipeline main, sink c: on purpose"), report.failures());
            assertEquals(List.of("b"), main(rt).sinkNames(), "c left out");
            assertTrue(rt.ready(), "a sink that failed leaves the sources ready");
            PromText after = scrape();
            assertFalse(hasSeries(after, "pmtud_sink_sent_total", "sink", "a"), "sink a's series are gone");
            assertFalse(hasSeries(after, "pmtud_sink_sent_total", "sink", "c"), "so are c's, which never opened");
            assertFalse(hasSeries(after, "pmtud_rate_limit_sources", "filter", "rate-limit"), "the removed filter's gauge is gone");
            assertFalse(hasSeries(after, "pmtud_dropped_total", "filter", "rate-limit"));
            assertEquals(0.0, value(after, "pmtud_sink_sent_total", Map.of("sink", "b")), "b exists at zero");
            assertEquals(0.0, value(after, "pmtud_dropped_total", Map.of("filter", "mtu-range", "reason", "mtu-below-min")));
            assertEquals(1.0, value(after, "pmtud_received_total", Map.of("source", "test-stream")), "the kept source's count goes on");
            assertTrue(sink(rt, "b").opened());
        } finally {
            rt.close();
        }
    }

    /** A component whose block is unchanged but whose configuration file (a key file) changed is replaced. */
    @Test
    void aChangedConfigurationFileReplacesItsComponent(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("relay.key");
        Files.writeString(key, "first key\n");
        ConfigNode root = config(null, list(3, block(3, "test-stream", "feed", "true")), null,
                list(5, block(5, "test-sequence", "file", key.toString())));
        NodeRuntime rt = started(root);
        try {
            SequenceSink first = sink(rt, "test-sequence");
            assertEquals(List.of("test-sequence"), reload(rt, root).names("main", "sink", Action.KEPT), "the same file: kept");
            assertSame(first, sink(rt, "test-sequence"));
            Files.writeString(key, "second key\n");
            assertEquals(List.of("test-sequence"), reload(rt, root).names("main", "sink", Action.REPLACED), "a new key: replaced");
            assertNotSame(first, sink(rt, "test-sequence"));
            assertTrue(first.closed());
        } finally {
            rt.close();
        }
    }

    /** A changed source is replaced (a new instance, a new thread), a removed one stopped; one that cannot open leaves the runtime not ready. */
    @Test
    void changedSourcesAreReplacedAndAFailedOneIsNotReady() throws Exception {
        NodeRuntime rt = started(config(null, list(3, block(3, "test-stream", "feed", "true"), block(4, "memory", "name", "idle")),
                null, list(5, block(5, "test-sequence"))));
        try {
            StreamSource old = source(rt);
            Await.until(AWAIT, "the source's thread", () -> old.ranOn() != null);
            ReloadReport report = reload(rt, config(null, list(3, block(3, "test-stream")), null, list(5, block(5, "test-sequence"))));
            assertEquals(List.of("test-stream"), report.names("main", "source", Action.REPLACED), report.toString());
            assertEquals(List.of("idle"), report.names("main", "source", Action.REMOVED));
            assertEquals(List.of("test-stream"), main(rt).sourceNames());
            StreamSource now = source(rt);
            assertNotSame(old, now);
            Await.until(AWAIT, "the new source's messages", () -> sink(rt, "test-sequence").count() > 0);
            assertFalse(old.ranOn().isAlive(), "the old source's thread ended");
            assertTrue(rt.ready());

            ReloadReport failed = reload(rt, config(null, list(3, block(3, "memory", "fail-open", "no such device")), null,
                    list(5, block(5, "test-sequence"))));
            assertEquals(List.of("pipeline main, source memory: no such device"), failed.failures());
            assertFalse(rt.ready(), "a source that could not open makes the runtime not ready");
            assertEquals(List.of("pipeline main, source memory: could not be opened: no such device"), rt.problems(),
                    "what /readyz names");
        } finally {
            rt.close();
        }
    }
}
