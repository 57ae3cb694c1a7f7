package dev.pmtud.core;

import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.list;
import static dev.pmtud.testkit.Cfg.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.testkit.MemorySink;
import dev.pmtud.testkit.MemorySource;
import dev.pmtud.testkit.PromText;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Several named pipelines in one runtime: separate counts and labels, one lifecycle, one loop check. */
class MultiPipelineTest {
    private static final PluginRegistry REGISTRY = NodeRuntimeTest.REGISTRY;
    private static final String NODE = "node-a";
    private static final Duration AWAIT = Duration.ofSeconds(10);
    /** Messages the memory sources of {@link #twoPipelines} hand on. */
    private static final int RELAY_MESSAGES = 3;
    private static final int RECEIVE_MESSAGES = 5;

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private static ConfigNode pipelines(ConfigNode... items) {
        return map(1, "node", NODE, "pipelines", list(2, (Object[]) items));
    }

    private static ConfigNode pipeline(int line, String name, ConfigNode sources, ConfigNode filters, ConfigNode sinks) {
        return map(line, "name", name, "sources", sources, "filters", filters, "sinks", sinks);
    }

    /**
     * relay: 3 messages, all forwarded; receive: 5 messages, all dropped by an mtu-range that lets
     * nothing through (min 9000 against MTU 1400). Both sources end after their messages.
     */
    private static ConfigNode twoPipelines() {
        return pipelines(
                pipeline(3, "relay", list(4, block(4, "memory", "live", "false", "messages", String.valueOf(RELAY_MESSAGES))),
                        list(5, block(5, "dedup")), list(6, block(6, "memory"))),
                pipeline(7, "receive", list(8, block(8, "memory", "live", "false", "messages", String.valueOf(RECEIVE_MESSAGES))),
                        list(9, block(9, "mtu-range", "min", "9000", "max", "9216")), list(10, block(10, "memory"))));
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The one series of {@code name} whose labels are exactly {@code exact}; fails when there is not exactly one. */
    private static double series(PromText text, String name, Map<String, String> exact) {
        List<PromText.Sample> found = text.samples(name).stream().filter(s -> s.labels().equals(exact)).toList();
        assertEquals(1, found.size(), name + exact + " among " + text.samples(name));
        return found.get(0).value();
    }

    @Test
    void twoPipelinesCountSeparatelyUnderTheirOwnPipelineLabel() throws Exception {
        List<String> decisions = Collections.synchronizedList(new ArrayList<>());
        try (NodeRuntime rt = NodeRuntime.builder(twoPipelines(), REGISTRY).meterRegistry(meters).ownAddresses(Set::of)
                .onDecision((pipeline, packet, d) -> decisions.add(pipeline + "/" + NodeRuntimeTest.stage(d))).build()) {
            assertEquals(List.of("relay", "receive"), rt.pipelines().stream().map(Pipeline::name).toList());
            assertEquals("receive", rt.pipeline("receive").orElseThrow().context().pipelineName());
            PromText atZero = PromText.parse(meters.scrape());
            for (String p : List.of("relay", "receive")) {
                assertEquals(0, series(atZero, "pmtud_received_total", labels("node", NODE, "pipeline", p, "source", "memory")));
                assertEquals(0, series(atZero, "pmtud_forwarded_total", labels("node", NODE, "pipeline", p)));
                assertEquals(0, series(atZero, "pmtud_sink_sent_total", labels("node", NODE, "pipeline", p, "sink", "memory")));
            }
            assertEquals(0, series(atZero, "pmtud_dedup_entries", labels("node", NODE, "pipeline", "relay", "filter", "dedup")),
                    "a component's own series carry the pipeline label too");
            assertEquals(0, series(atZero, "pmtud_peers", labels("node", NODE)), "node-level series have no pipeline label");

            rt.start();
            assertTrue(rt.awaitSources(AWAIT));
            PromText text = PromText.parse(meters.scrape());
            assertEquals(RELAY_MESSAGES, series(text, "pmtud_received_total", labels("node", NODE, "pipeline", "relay", "source", "memory")));
            assertEquals(RECEIVE_MESSAGES, series(text, "pmtud_received_total", labels("node", NODE, "pipeline", "receive", "source", "memory")));
            assertEquals(RELAY_MESSAGES, series(text, "pmtud_forwarded_total", labels("node", NODE, "pipeline", "relay")));
            assertEquals(0, series(text, "pmtud_forwarded_total", labels("node", NODE, "pipeline", "receive")));
            assertEquals(RECEIVE_MESSAGES, series(text, "pmtud_dropped_total",
                    labels("node", NODE, "pipeline", "receive", "filter", "mtu-range", "reason", "mtu-below-min")));
            assertEquals(RELAY_MESSAGES, series(text, "pmtud_sink_sent_total", labels("node", NODE, "pipeline", "relay", "sink", "memory")));
            assertEquals(0, series(text, "pmtud_sink_sent_total", labels("node", NODE, "pipeline", "receive", "sink", "memory")));
            assertEquals(RECEIVE_MESSAGES, series(text, "pmtud_processing_seconds_count", labels("node", NODE, "pipeline", "receive")));
            assertTrue(text.samples("pmtud_received_total").stream().allMatch(s -> s.labels().containsKey("pipeline")),
                    "no series without the label: " + text.samples("pmtud_received_total"));

            assertEquals(new Pipeline.Summary(RELAY_MESSAGES, 0, Map.of("dedup", 0L), RELAY_MESSAGES),
                    rt.pipeline("relay").orElseThrow().summary());
            assertEquals(new Pipeline.Summary(RECEIVE_MESSAGES, 0, Map.of("mtu-range", (long) RECEIVE_MESSAGES), 0),
                    rt.pipeline("receive").orElseThrow().summary());
            MemorySink relaySink = (MemorySink) rt.pipeline("relay").orElseThrow().sinkStages().get(0).sink();
            assertEquals(RELAY_MESSAGES, relaySink.sent().size());
        }
        assertEquals(RELAY_MESSAGES, decisions.stream().filter(d -> d.equals("relay/forwarded")).count(), decisions.toString());
        assertEquals(RECEIVE_MESSAGES, decisions.stream().filter(d -> d.equals("receive/mtu-range")).count(), decisions.toString());
    }

    @Test
    void bothPipelinesStopWithinTwoSecondsAndCloseIsIdempotent() throws Exception {
        ConfigNode live = pipelines(
                pipeline(3, "relay", list(4, block(4, "memory")), null, list(6, block(6, "memory"))),
                pipeline(7, "receive", list(8, block(8, "memory")), null, list(10, block(10, "memory"))));
        NodeRuntime rt = NodeRuntime.builder(live, REGISTRY).meterRegistry(meters).ownAddresses(Set::of).build();
        rt.start();
        assertTrue(rt.ready());
        assertFalse(rt.awaitSources(Duration.ofMillis(50)), "live sources run until closed");
        Set<String> threads = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(java.util.stream.Collectors.toSet());
        assertTrue(threads.containsAll(Set.of("source-relay-memory", "source-receive-memory")), threads.toString());

        long start = System.nanoTime();
        rt.close();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis < 2000, "close took " + tookMillis + " ms");
        assertTrue(rt.awaitSources(Duration.ZERO), "every source's run() returned");
        assertFalse(rt.ready());
        for (Pipeline p : rt.pipelines()) {
            MemorySink sink = (MemorySink) p.sinkStages().get(0).sink();
            assertTrue(sink.flushedAndClosed(), p.name());
        }
        rt.close();
        for (Pipeline p : rt.pipelines()) {
            assertEquals(1, ((MemorySource) p.sourceRunners().get(0).source()).closeCalls(), "a second close does nothing: " + p.name());
        }
    }

    @Test
    void aStartFailureInTheSecondPipelineClosesWhatTheFirstOpened() throws Exception {
        ConfigNode root = pipelines(
                pipeline(3, "relay", list(4, block(4, "memory")), null, list(6, block(6, "memory"))),
                pipeline(7, "receive", list(8, block(8, "memory", "fail-open", "cannot open on purpose")), null,
                        list(10, block(10, "memory"))));
        NodeRuntime rt = NodeRuntime.builder(root, REGISTRY).meterRegistry(meters).ownAddresses(Set::of).build();
        IOException e = assertThrows(IOException.class, rt::start);
        assertEquals("cannot open on purpose", e.getMessage());

        Pipeline relay = rt.pipeline("relay").orElseThrow();
        MemorySource relaySource = (MemorySource) relay.sourceRunners().get(0).source();
        assertTrue(relaySource.opened(), "sources open after every pipeline's sinks, in pipeline order");
        assertEquals(1, relaySource.closeCalls(), "the first pipeline's opened source was closed");
        for (Pipeline p : rt.pipelines()) {
            assertTrue(((MemorySink) p.sinkStages().get(0).sink()).flushedAndClosed(), "sink of " + p.name() + " closed");
        }
        assertFalse(rt.ready());
        assertTrue(rt.awaitSources(Duration.ZERO), "no source thread was left running");
        assertThrows(IllegalStateException.class, rt::start, "a failed runtime is not started again");
    }

    @Test
    void aSourceCapturingWhereASinkInjectsIsRefusedAtItsBlock() {
        ConfigNode sameDevice = pipelines(
                pipeline(3, "relay", list(4, block(5, "memory", "captures-from", list(5, "pmtud0"))), null, null),
                pipeline(7, "receive", list(8, block(8, "memory")), null, list(10, block(10, "memory", "injects-into", list(10, "pmtud0")))));
        ConfigException e = assertThrows(ConfigException.class, () -> NodeRuntime.builder(sameDevice, REGISTRY).build());
        assertTrue(e.getMessage().startsWith("pmtud.yaml:5: pipeline relay, sources[0] (memory): captures from pmtud0"), e.getMessage());
        assertTrue(e.getMessage().contains("sink memory of pipeline receive injects"), e.getMessage());
        assertTrue(e.getMessage().contains("capture from the uplink only"), e.getMessage());

        ConfigNode everywhere = pipelines(
                pipeline(3, "relay", list(4, block(6, "memory", "captures-from", list(6, "any"))), null, null),
                pipeline(7, "receive", list(8, block(8, "memory")), null, list(10, block(10, "memory", "injects-into", list(10, "pmtud0")))));
        ConfigException any = assertThrows(ConfigException.class, () -> NodeRuntime.builder(everywhere, REGISTRY).build());
        assertTrue(any.getMessage().startsWith("pmtud.yaml:6: pipeline relay, sources[0] (memory): captures on every interface,"
                + " pmtud0 included,"), any.getMessage());

        ConfigNode uplink = pipelines(
                pipeline(3, "relay", list(4, block(4, "memory", "captures-from", list(4, "eth0"))), null, null),
                pipeline(7, "receive", list(8, block(8, "memory")), null, list(10, block(10, "memory", "injects-into", list(10, "pmtud0")))));
        try (NodeRuntime rt = NodeRuntime.builder(uplink, REGISTRY).build()) {
            assertEquals(Set.of("pmtud0"), rt.injectDevices());
        }
    }

    @Test
    void selectingOnePipelineBuildsOnlyItAndReplacementsNeedOne() throws Exception {
        List<String> sources = new ArrayList<>();
        try (NodeRuntime rt = NodeRuntime.builder(twoPipelines(), REGISTRY).pipeline("receive")
                .replaceSources(context -> {
                    sources.add(context.pipelineName());
                    return List.of(new MemorySource(List.of(), false));
                }).build()) {
            assertEquals(List.of("receive"), rt.pipelines().stream().map(Pipeline::name).toList());
            assertEquals(List.of("receive"), sources, "the replacement was created with the selected pipeline's context");
            assertEquals(List.of("replay"), rt.pipelines().get(0).sourceNames());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> NodeRuntime.builder(twoPipelines(), REGISTRY).pipeline("nope").build());
        assertTrue(unknown.getMessage().contains("[relay, receive]"), unknown.getMessage());
        IllegalStateException ambiguous = assertThrows(IllegalStateException.class,
                () -> NodeRuntime.builder(twoPipelines(), REGISTRY).replaceSinks(List.of(new MemorySink())).build());
        assertTrue(ambiguous.getMessage().contains("[relay, receive]"), ambiguous.getMessage());
    }

    @Test
    void notesNameTheirPipelineAndSink() {
        ConfigNode root = pipelines(
                pipeline(3, "relay", list(4, block(4, "memory")), null, list(6, block(6, "memory", "name", "out", "note", "mind the gap"))),
                pipeline(7, "receive", list(8, block(8, "memory")), null, list(10, block(10, "memory"))));
        try (NodeRuntime rt = NodeRuntime.builder(root, REGISTRY).build()) {
            assertEquals(List.of("pipeline relay, sink out: mind the gap"), rt.notes());
        }
    }
}
