package dev.pmtud.bench;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import dev.pmtud.api.Values;
import dev.pmtud.core.MicrometerMetrics;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
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
 * The {@code raw} sink's {@code send} in each mode, to two peers, through the real kernel: the sink
 * is made by its factory (found through ServiceLoader, as the daemon finds it) and opened in a
 * network namespace of its own whose {@code eth0} is one end of a veth pair; the other end sits in a
 * second namespace with no address, so that the copies leave through the kernel's whole send path
 * and are dropped on arrival (the peers' MACs are fixed neighbour entries that no interface owns).
 * Counters are Micrometer's, as in the daemon. One operation = one message (an IPv4 frag-needed)
 * to every peer; needs root.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class RawSinkBenchmark {
    /** Messages per invocation, so that {@link CpuTime} counts them as it counts {@link MessageMix} batches. */
    static final int BATCH = MessageMix.BATCH;
    private static final String[] PEERS = {"192.0.2.2", "192.0.2.3"};

    @Param({"l3", "ipip", "l2-unicast", "l2-broadcast"})
    public String mode;

    private Netns node;
    private Netns hole;
    private Sink sink;
    private Packet packet;
    private PrometheusMeterRegistry registry;
    private long messages;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        node = Netns.create("rsb-node");
        hole = Netns.create("rsb-hole");
        Netns.veth(node, "eth0", hole, "eth0");
        node.exec("ip", "addr", "add", "192.0.2.1/24", "dev", "eth0");
        for (int i = 0; i < PEERS.length; i++) {
            node.exec("ip", "neigh", "replace", PEERS[i], "lladdr", "02:00:00:00:00:1" + i, "nud", "permanent", "dev", "eth0");
        }
        List<InetAddress> peers = new ArrayList<>();
        for (String p : PEERS) {
            peers.add(Values.parseAddress(p));
        }
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BenchContext context = new BenchContext(List.of(dev.pmtud.api.Cidr.parse("192.0.2.0/24")),
                new MicrometerMetrics(registry, "bench").forPipeline("main"), peers);
        SinkFactory factory = ServiceLoader.load(SinkFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.type().equals("raw")).findFirst().orElseThrow();
        List<Object> keys = new ArrayList<>(List.of("name", "raw", "mode", mode));
        if (mode.startsWith("l2")) {
            keys.addAll(List.of("interface", "eth0"));
        }
        sink = factory.create(Cfg.component("sinks", "raw", keys.toArray()), context);
        node.call(() -> {
            sink.open();
            return null;
        });
        byte[] m = Ptb.v4().build();
        packet = new Packet().wrap(m, 0, m.length, LinkType.RAW, 1L);
        if (!packet.decode()) {
            throw new IllegalStateException("benchmark message is invalid: " + packet.invalidReason());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            sink.close();
        } catch (java.io.IOException e) {
            System.out.println("closing the sink failed: " + e.getMessage());
        }
        StringBuilder s = new StringBuilder("\n[raw sink " + mode + "] messages " + messages);
        for (Counter c : registry.find("pmtud_peer_sent_total").counters()) {
            s.append(", sent to ").append(c.getId().getTag("peer")).append(' ').append((long) c.count());
        }
        for (Counter c : registry.find("pmtud_peer_send_errors_total").counters()) {
            if (c.count() > 0) {
                s.append(", errors ").append(c.getId().getTag("peer")).append(' ').append(c.getId().getTag("errno"))
                        .append(' ').append((long) c.count());
            }
        }
        System.out.println(s);
        hole.close();
        node.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long send() throws Exception {
        Sink s = sink;
        Packet p = packet;
        for (int i = 0; i < BATCH; i++) {
            s.send(p);
        }
        return messages += BATCH;
    }
}
