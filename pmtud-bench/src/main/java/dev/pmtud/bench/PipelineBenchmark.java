package dev.pmtud.bench;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Sink;
import dev.pmtud.api.Source;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.Pipeline;
import dev.pmtud.core.PluginRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The whole in-process path through pmtud-core's runtime: the handler a {@link Source} gets from
 * {@link NodeRuntime}'s one {@link Pipeline} (received counter, decode, invalid counters, the lock, the filter chain, drop
 * counters, forwarded counter, the {@code pmtud_processing_seconds} timer) into a sink that does
 * nothing. The filters are the default chain with the given rate-limit settings; the meter registry
 * is Prometheus', as in the daemon. One operation = one message.
 */
public class PipelineBenchmark extends MixBenchmark {

    /** rate-limit keys for the default ("1/s burst 2 per router") and the forwarding case. */
    @Param({"per-source=1/s burst=2", FilterChainBenchmark.UNREACHED_RATE_LIMIT})
    public String rateLimit;

    private NodeRuntime runtime;
    private PacketHandler handler;
    private final CountDownLatch closed = new CountDownLatch(1);
    public long sunk;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        setUpMix(LinkType.RAW);
        CompletableFuture<PacketHandler> got = new CompletableFuture<>();
        Source memory = new Source() {
            @Override
            public void open() {
            }

            @Override
            public void run(PacketHandler h) throws java.io.IOException {
                got.complete(h);
                try {
                    closed.await(); // the benchmark thread drives h; this thread only keeps the source "running"
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void wakeup() {
                closed.countDown();
            }

            @Override
            public void close() {
            }
        };
        Sink nothing = new Sink() {
            @Override
            public void open() {
            }

            @Override
            public void send(Packet p) {
                sunk++;
            }

            @Override
            public void close() {
            }
        };
        runtime = NodeRuntime.builder(config(rateLimit), PluginRegistry.discover(List.of(PipelineBenchmark.class.getClassLoader())))
                .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .replaceSources(List.of(memory))
                .replaceSinks(List.of(nothing))
                .ownAddresses(Set::of)
                .build();
        runtime.start();
        handler = got.get(30, TimeUnit.SECONDS);
    }

    /** node + the default filter chain, as a YAML loader would hand it to the runtime. */
    static ConfigNode config(String rateLimit) {
        Map<String, ConfigNode> root = new LinkedHashMap<>();
        root.put("node", ConfigNode.scalar("bench", 1, "bench"));
        root.put("filters", ConfigNode.list("bench", 1, FilterChain.blocks(FilterChainBenchmark.DEFAULT_CHAIN + " " + rateLimit)));
        return ConfigNode.map("bench", 1, root);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Pipeline.Summary s = runtime.pipelines().get(0).summary();
        System.out.println("\n[pipeline summary] " + s);
        runtime.close();
    }

    @Benchmark
    @OperationsPerInvocation(MessageMix.BATCH)
    public long handle() {
        MessageMix m = mix;
        m.freshen(round++);
        LinkType lt = m.linkType;
        PacketHandler h = handler;
        for (int i = 0; i < MessageMix.BATCH; i++) {
            h.handle(packet.wrap(m.buffer, m.offset[i], m.length[i], lt, now += spacingNanos));
        }
        return sunk;
    }
}
