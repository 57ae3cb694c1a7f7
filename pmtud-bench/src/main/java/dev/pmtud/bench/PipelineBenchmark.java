package dev.pmtud.bench;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Sink;
import dev.pmtud.api.Source;
import dev.pmtud.core.Pipeline;
import dev.pmtud.core.PluginRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole in-process path through pmtud-core's runtime: the handler a {@link Source} gets from
 * {@link Pipeline} (received counter, decode, invalid counters, the lock, the filter chain, drop
 * counters, forwarded counter, the {@code pmtud_processing_seconds} timer) into a sink that does
 * nothing. The filters are the default chain with the given rate-limit settings; the meter registry
 * is Prometheus', as in the daemon. One operation = one message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class PipelineBenchmark {

    /** rate-limit keys for the default ("1/s burst 2 per router") and the forwarding case. */
    @Param({"per-source=1/s burst=2", "per-source=1000000000/s burst=1000000000"})
    public String rateLimit;

    @Param({"200"})
    public long spacingNanos;

    private MessageMix mix;
    private final Packet packet = new Packet();
    private Pipeline pipeline;
    private PacketHandler handler;
    private final CountDownLatch closed = new CountDownLatch(1);
    private long now;
    private int round;
    public long sunk;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        mix = new MessageMix(LinkType.RAW);
        now = 1_700_000_000_000_000_000L;
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
            public void close() {
                closed.countDown();
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
        pipeline = Pipeline.builder(config(rateLimit), PluginRegistry.discover(List.of(PipelineBenchmark.class.getClassLoader())))
                .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .replaceSources(List.of(memory))
                .replaceSinks(List.of(nothing))
                .ownAddresses(Set::of)
                .build();
        pipeline.start();
        handler = got.get(30, TimeUnit.SECONDS);
    }

    /** node + the default filter chain, as a YAML loader would hand it to the runtime. */
    static ConfigNode config(String rateLimit) {
        Map<String, ConfigNode> root = new LinkedHashMap<>();
        root.put("node", s("bench"));
        List<ConfigNode> filters = new ArrayList<>();
        filters.add(map("type", "exclude-networks", "networks", MessageMix.EXCLUDED_NETWORK));
        filters.add(map("type", "mtu-range"));
        filters.add(map("type", "dedup"));
        List<String> rl = new ArrayList<>(List.of("type", "rate-limit"));
        for (String kv : rateLimit.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            rl.add(kv.substring(0, eq));
            rl.add(kv.substring(eq + 1));
        }
        filters.add(map(rl.toArray(new String[0])));
        root.put("filters", ConfigNode.list("bench", 1, filters));
        return ConfigNode.map("bench", 1, root);
    }

    private static ConfigNode s(String text) {
        return ConfigNode.scalar("bench", 1, text);
    }

    private static ConfigNode map(String... kv) {
        Map<String, ConfigNode> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], s(kv[i + 1]));
        }
        return ConfigNode.map("bench", 1, m);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Pipeline.Summary s = pipeline.summary();
        System.out.println("\n[pipeline summary] " + s);
        pipeline.close();
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
