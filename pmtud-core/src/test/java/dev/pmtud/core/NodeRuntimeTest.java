package dev.pmtud.core;

import static dev.pmtud.testkit.Packets.T0;
import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.list;
import static dev.pmtud.testkit.Cfg.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Filter;
import dev.pmtud.api.InvalidReason;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.Source;
import dev.pmtud.api.Verdict;
import dev.pmtud.testkit.MemorySink;
import dev.pmtud.testkit.MemorySource;
import dev.pmtud.testkit.MemorySource.Frame;
import dev.pmtud.testkit.Ptb;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class NodeRuntimeTest {
    static final PluginRegistry REGISTRY = PluginRegistry.discover(List.of(NodeRuntimeTest.class.getClassLoader()));
    private static final String NODE = "node-a";
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final MeterRegistry meters = new SimpleMeterRegistry();

    private static ConfigNode config(ConfigNode filters) {
        return map(1, "node", NODE, "filters", filters);
    }

    /** mtu-range (default bounds) then dedup. */
    private static ConfigNode mtuThenDedup() {
        return config(list(3, block(4, "mtu-range"), block(5, "dedup", "window", "1s")));
    }

    private static Frame frame(Ptb message, long t) {
        return new Frame(message.build(), t);
    }

    /** Two new messages, a repeat of the first, one that is not frag-needed, one with a tiny MTU. */
    private static List<Frame> mixedFrames() {
        return List.of(
                frame(Ptb.v4().from("203.0.113.1").mtu(1400).sequence(1), T0),
                frame(Ptb.v4().from("203.0.113.1").mtu(1400).sequence(2), T0 + 1),
                frame(Ptb.v4().from("203.0.113.2").mtu(1400), T0 + 2),
                frame(Ptb.v4().from("203.0.113.3").type(3, 1), T0 + 3),
                frame(Ptb.v4().from("203.0.113.4").mtu(60), T0 + 4));
    }

    /** The one pipeline of a single-pipeline configuration. */
    static Pipeline main(NodeRuntime runtime) {
        assertEquals(1, runtime.pipelines().size());
        return runtime.pipelines().get(0);
    }

    /** Where a decision was made, as the listener used to be told it: a filter's label, "invalid" or "forwarded". */
    static String stage(Decision d) {
        return d.outcome() == Decision.Outcome.DROPPED ? d.filter() : d.outcome().name().toLowerCase(java.util.Locale.ROOT);
    }

    private double count(String name, String... tags) {
        return meters.get(name).tags(tags).tag("node", NODE).counter().count();
    }

    @Test
    void countsEveryPacketExactlyOnce() throws Exception {
        MemorySink sink = new MemorySink();
        List<Frame> frames = mixedFrames();
        try (NodeRuntime p = NodeRuntime.builder(mtuThenDedup(), REGISTRY).meterRegistry(meters)
                .replaceSources(List.of(new MemorySource(frames, false))).replaceSinks(List.of(sink)).build()) {
            p.start();
            assertTrue(p.awaitSources(AWAIT));
            Pipeline.Summary s = main(p).summary();
            assertEquals(frames.size(), s.received());
            assertEquals(1, s.invalid());
            assertEquals(Map.of("mtu-range", 1L, "dedup", 1L), s.dropped());
            assertEquals(2, s.forwarded());
            assertEquals(s.received(), s.invalid() + s.droppedTotal() + s.forwarded());

            assertEquals(List.of(InetAddress.getByName("203.0.113.1"), InetAddress.getByName("203.0.113.2")),
                    sink.sent().stream().map(pk -> pk.outerSource()).toList());
            assertEquals(frames.size(), count("pmtud_received_total", "source", "replay"));
            assertEquals(1, count("pmtud_invalid_total", "reason", InvalidReason.NOT_FRAG_NEEDED));
            assertEquals(1, count("pmtud_dropped_total", "filter", "dedup", "reason", "duplicate"));
            assertEquals(1, count("pmtud_dropped_total", "filter", "mtu-range", "reason", "mtu-below-min"));
            assertEquals(2, count("pmtud_forwarded_total"));
            assertEquals(2, count("pmtud_sink_sent_total", "sink", "output"));
            assertEquals(frames.size(), meters.get("pmtud_processing_seconds").tag("node", NODE).timer().count());
            assertEquals(3.0, meters.get("pmtud_source_lost_total").tags("source", "replay", "node", NODE)
                    .functionCounter().count(), "read from Source.lost()");
        }
    }

    @Test
    void replacementsCreatedDuringBuildGetThePipelinesOwnContext() throws Exception {
        List<PipelineContext> given = new ArrayList<>();
        MemorySink sink = new MemorySink();
        List<Frame> frames = mixedFrames();
        try (NodeRuntime p = NodeRuntime.builder(mtuThenDedup(), REGISTRY).meterRegistry(meters)
                .replaceSources(context -> {
                    given.add(context);
                    return List.of(new MemorySource(frames, false));
                })
                .replaceSinks(context -> {
                    given.add(context);
                    return List.of(sink);
                }).build()) {
            assertEquals(2, given.size(), "each function called once, by build()");
            for (PipelineContext c : given) {
                assertSame(main(p).context(), c);
                assertSame(p.peers(), c.peers());
                assertEquals(NODE, c.nodeName());
            }
            given.get(0).metrics().counter("pmtud_test_replacement_total", "a replacement's own counter").increment();
            assertEquals(1, count("pmtud_test_replacement_total"), "a replacement's metrics reach the pipeline's registry");
            p.start();
            assertTrue(p.awaitSources(AWAIT));
            assertEquals(frames.size(), count("pmtud_received_total", "source", "replay"));
            assertEquals(2, count("pmtud_sink_sent_total", "sink", "output"));
            assertEquals(2, sink.sent().size());
        }
    }

    @Test
    void everySeriesExistsAtZeroBeforeTheFirstPacket() {
        try (NodeRuntime p = NodeRuntime.builder(mtuThenDedup(), REGISTRY).meterRegistry(meters)
                .replaceSources(List.of(new MemorySource(List.of(), false))).replaceSinks(List.of(new MemorySink())).build()) {
            for (String reason : InvalidReason.ALL) {
                assertEquals(0, count("pmtud_invalid_total", "reason", reason), reason);
            }
            assertEquals(0, count("pmtud_dropped_total", "filter", "mtu-range", "reason", "mtu-above-max"));
            assertEquals(0, count("pmtud_dropped_total", "filter", "dedup", "reason", "duplicate"));
            assertEquals(0, count("pmtud_received_total", "source", "replay"));
            assertEquals(0, count("pmtud_forwarded_total"));
            assertEquals(0, count("pmtud_sink_errors_total", "sink", "output"));
            assertNotNull(meters.get("pmtud_peers").tag("node", NODE).gauge());
            assertEquals(0, main(p).summary().received());
        }
    }

    @Test
    void tellsTheListenerEveryDecisionInOrder() throws Exception {
        List<String> decisions = new ArrayList<>();
        try (NodeRuntime p = NodeRuntime.builder(mtuThenDedup(), REGISTRY).meterRegistry(meters)
                .replaceSources(List.of(new MemorySource(mixedFrames(), false))).replaceSinks(List.of())
                .onDecision((pipeline, packet, d) -> decisions.add(stage(d) + "/" + d.reason())).build()) {
            p.start();
            assertTrue(p.awaitSources(AWAIT));
        }
        assertEquals(List.of("forwarded/null", "dedup/duplicate", "forwarded/null",
                "invalid/" + InvalidReason.NOT_FRAG_NEEDED, "mtu-range/mtu-below-min"), decisions);
    }

    @Test
    void decisionsArePreallocatedAndAFilterNamedForwardedStillDrops() throws Exception {
        ConfigNode named = config(list(3, block(4, "mtu-range", "name", "forwarded", "min", "9000", "max", "9216")));
        List<Decision> decisions = new ArrayList<>();
        List<Frame> frames = List.of(frame(Ptb.v4().from("203.0.113.1"), T0), frame(Ptb.v4().from("203.0.113.2"), T0 + 1),
                frame(Ptb.v4().type(3, 1), T0 + 2), frame(Ptb.v4().type(3, 1), T0 + 3));
        try (NodeRuntime p = NodeRuntime.builder(named, REGISTRY).meterRegistry(meters)
                .replaceSources(List.of(new MemorySource(frames, false))).replaceSinks(List.of())
                .onDecision((pipeline, packet, d) -> decisions.add(d)).build()) {
            p.start();
            assertTrue(p.awaitSources(AWAIT));
        }
        assertEquals(List.of(Decision.dropped("forwarded", "mtu-below-min"), Decision.dropped("forwarded", "mtu-below-min"),
                Decision.invalid(InvalidReason.NOT_FRAG_NEEDED), Decision.invalid(InvalidReason.NOT_FRAG_NEEDED)), decisions);
        assertEquals(Decision.Outcome.DROPPED, decisions.get(0).outcome(), "the label is not the outcome");
        assertSame(decisions.get(0), decisions.get(1), "one drop decision per filter and reason, made ahead of time");
        assertSame(decisions.get(2), decisions.get(3), "one invalid decision per reason, made ahead of time");
    }

    @Test
    void loopGuardsRunBeforeTheConfiguredFilters() throws Exception {
        Verdict fromPeer = Verdict.drop("from-peer");
        byte[] peer = InetAddress.getByName("203.0.113.9").getAddress();
        Filter guard = packet -> java.util.Arrays.equals(packet.buffer(), packet.outerSourceOffset(),
                packet.outerSourceOffset() + 4, peer, 0, 4) ? fromPeer : Verdict.PASS;
        ConfigNode dropsEverything = config(list(3, block(4, "mtu-range", "min", "9000", "max", "9216")));
        Map<String, String> stageBySource = new LinkedHashMap<>();
        try (NodeRuntime p = NodeRuntime.builder(dropsEverything, REGISTRY).meterRegistry(meters)
                .replaceSources(List.of(new MemorySource(List.of(frame(Ptb.v4().from("203.0.113.9"), T0),
                        frame(Ptb.v4().from("203.0.113.1"), T0)), false)))
                .replaceSinks(List.of(new MemorySink(false, guard)))
                .onDecision((pipeline, packet, d) -> stageBySource.put(packet.outerSource().getHostAddress(), stage(d) + "/" + d.reason()))
                .build()) {
            assertEquals(List.of("output-loop-guard", "mtu-range"), main(p).filterLabels());
            p.start();
            assertTrue(p.awaitSources(AWAIT));
            assertEquals(Map.of("output-loop-guard", 1L, "mtu-range", 1L), main(p).summary().dropped());
            assertEquals(1, count("pmtud_dropped_total", "filter", "output-loop-guard", "reason", "from-peer"));
        }
        assertEquals("output-loop-guard/from-peer", stageBySource.get("203.0.113.9"));
        assertEquals("mtu-range/mtu-below-min", stageBySource.get("203.0.113.1"));
    }

    @Test
    void aFailingSinkDoesNotStopTheOthers() throws Exception {
        MemorySink failing = new MemorySink(true, null);
        MemorySink working = new MemorySink();
        List<Frame> frames = List.of(frame(Ptb.v4().from("203.0.113.1"), T0), frame(Ptb.v4().from("203.0.113.2"), T0),
                frame(Ptb.v6().from("2001:db8:ff::1"), T0));
        try (NodeRuntime p = NodeRuntime.builder(config(null), REGISTRY).meterRegistry(meters)
                .replaceSources(List.of(new MemorySource(frames, false))).replaceSinks(List.of(failing, working)).build()) {
            p.start();
            assertTrue(p.awaitSources(AWAIT));
            assertEquals(frames.size(), main(p).summary().forwarded());
        }
        assertEquals(frames.size(), working.sent().size());
        assertEquals(frames.size(), count("pmtud_sink_errors_total", "sink", "output"));
        assertEquals(0, count("pmtud_sink_sent_total", "sink", "output"));
        assertEquals(frames.size(), count("pmtud_sink_sent_total", "sink", "output-2"));
    }

    @Test
    void closeStopsALiveSourceWithinTwoSecondsAndIsIdempotent() throws Exception {
        MemorySource live = new MemorySource(List.of(frame(Ptb.v4(), T0)), true);
        MemorySink sink = new MemorySink();
        CountDownLatch seen = new CountDownLatch(1);
        NodeRuntime p = NodeRuntime.builder(config(null), REGISTRY).meterRegistry(meters)
                .replaceSources(List.of(live)).replaceSinks(List.of(sink))
                .onDecision((pipeline, packet, decision) -> seen.countDown()).build();
        assertFalse(p.ready(), "not ready before start");
        p.start();
        assertTrue(seen.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(p.ready());
        assertTrue(sink.opened() && live.opened());
        assertFalse(p.awaitSources(Duration.ofMillis(50)), "a live source runs until closed");
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("source-replay")));

        long start = System.nanoTime();
        p.close();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis < 2000, "close took " + tookMillis + " ms");
        assertTrue(p.awaitSources(Duration.ZERO), "the source's run() returned");
        assertFalse(p.ready());
        assertTrue(sink.flushedAndClosed());
        p.close();
        assertEquals(1, live.closeCalls(), "a second close does nothing");
    }

    @Test
    void closeIsBoundedEvenWhenASourceIgnoresIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        Source stubborn = new Source() {
            @Override
            public void open() {
            }

            @Override
            public void run(PacketHandler handler) {
                running.countDown();
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        // ignores interruption too, like a source stuck in a system call
                    }
                }
            }

            @Override
            public void wakeup() {
            }

            @Override
            public void close() {
            }
        };
        try {
            NodeRuntime p = NodeRuntime.builder(config(null), REGISTRY).meterRegistry(meters)
                    .replaceSources(List.of(stubborn)).replaceSinks(List.of(new MemorySink())).build();
            p.start();
            assertTrue(running.await(10, java.util.concurrent.TimeUnit.SECONDS));
            long start = System.nanoTime();
            p.close();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis < 2000, "close took " + tookMillis + " ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void aSinkThatCannotOpenStopsStartAndNothingKeepsRunning() throws Exception {
        MemorySource source = new MemorySource(List.of(), true);
        Sink broken = new MemorySink() {
            @Override
            public void open() {
                throw new IllegalStateException("cannot open on purpose");
            }
        };
        NodeRuntime p = NodeRuntime.builder(config(null), REGISTRY).meterRegistry(meters)
                .replaceSources(List.of(source)).replaceSinks(List.of(broken)).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
        assertEquals("cannot open on purpose", e.getMessage());
        assertFalse(source.opened(), "sources open after sinks");
        assertFalse(p.ready());
        assertTrue(p.awaitSources(Duration.ZERO), "no source thread was left to wait for");
    }

    @Test
    void runsConfiguredSourcesOnThreadsNamedAfterThem() throws Exception {
        ConfigNode root = map(1, "node", NODE, "sources", list(2, block(3, "memory", "name", "edge")));
        try (NodeRuntime p = NodeRuntime.builder(root, REGISTRY).meterRegistry(meters).build()) {
            assertEquals(List.of("edge"), main(p).sourceNames());
            p.start();
            assertTrue(p.ready());
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("source-edge")));
        }
    }

    @Test
    void startsPeerProvidersAndRemovesOwnAddresses() throws Exception {
        ConfigNode root = map(1, "node", NODE, "sources", list(2, block(3, "memory")),
                "peers", list(4, block(5, "static", "addresses", list(5, "198.51.100.20", "127.0.0.1", "::1"))));
        try (NodeRuntime p = NodeRuntime.builder(root, REGISTRY).meterRegistry(meters).build()) {
            assertTrue(p.peers().current().isEmpty(), "providers start with the pipeline");
            p.start();
            assertEquals(java.util.Set.of(InetAddress.getByName("198.51.100.20")), p.peers().current());
            assertEquals(1.0, meters.get("pmtud_peers").tag("node", NODE).gauge().value());
        }
    }

    @Test
    void closeClosesConfiguredFiltersButNotSinksLoopGuards() {
        java.util.concurrent.atomic.AtomicInteger configuredClosed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger guardClosed = new java.util.concurrent.atomic.AtomicInteger();
        dev.pmtud.api.FilterFactory closing = new dev.pmtud.api.FilterFactory() {
            @Override
            public String type() {
                return "closing";
            }

            @Override
            public String description() {
                return "test: counts close()";
            }

            @Override
            public java.util.Set<String> keys() {
                return java.util.Set.of();
            }

            @Override
            public Filter create(dev.pmtud.api.ComponentConfig config, dev.pmtud.api.PipelineContext context) {
                return passCountingCloses(configuredClosed);
            }
        };
        Filter guard = passCountingCloses(guardClosed);
        PluginRegistry registry = PluginRegistry.of(List.of(new dev.pmtud.testkit.MemorySourceFactory(), closing));
        ConfigNode root = map(1, "node", NODE, "sources", list(2, block(3, "memory")),
                "filters", list(4, block(5, "closing"), block(6, "closing")));
        NodeRuntime p = NodeRuntime.builder(root, registry).meterRegistry(meters)
                .replaceSinks(List.of(new MemorySink(false, guard))).build();
        assertEquals(List.of("output-loop-guard", "closing", "closing-2"), main(p).filterLabels());
        p.close();
        p.close();
        assertEquals(2, configuredClosed.get(), "each configured filter closed once");
        assertEquals(0, guardClosed.get(), "a loop guard belongs to its sink");
    }

    /** A filter that passes everything and counts its close() calls. */
    private static Filter passCountingCloses(java.util.concurrent.atomic.AtomicInteger closes) {
        return new Filter() {
            @Override
            public Verdict apply(dev.pmtud.api.Packet packet) {
                return Verdict.PASS;
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
    }
}
