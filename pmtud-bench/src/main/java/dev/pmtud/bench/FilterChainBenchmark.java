package dev.pmtud.bench;

import dev.pmtud.api.Filter;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
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
 * The per-message hot path on one thread: what a source thread does between two reads, minus the sinks.
 * One operation is one message (each invocation handles a {@link MessageMix#BATCH batch}), so
 * {@code ns/op} is ns per message and {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes per
 * message.
 *
 * {@code decodeAndFilter}: wrap + decode + the filter chain {@link #chain} built through the
 * filters' own factories, counting each outcome as the runtime's counters do.
 * Capture timestamps advance by {@link #spacingNanos} per message: 200 ns is a 5 M msg/s flood.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class FilterChainBenchmark {

    /** The default chain as shipped ({@code flood}: defaults, so the rate limit drops most of a flood). */
    public static final String DEFAULT_CHAIN =
            "exclude-networks networks=" + MessageMix.EXCLUDED_NETWORK + "; mtu-range; dedup; rate-limit";
    /** The same chain with a rate limit no flood reaches, so every new valid message is forwarded. */
    public static final String FORWARD_CHAIN =
            "exclude-networks networks=" + MessageMix.EXCLUDED_NETWORK + "; mtu-range; dedup; rate-limit per-source=1000000000/s burst=1000000000";

    @Param({"RAW"})
    public String linkType;

    @Param({DEFAULT_CHAIN, FORWARD_CHAIN})
    public String chain;

    @Param({"200"})
    public long spacingNanos;

    private MessageMix mix;
    private final Packet packet = new Packet();
    private Filter[] filters;
    private long now;
    private int round;

    // outcome counters, as the runtime keeps them
    public long invalid;
    public long forwarded;
    public long[] dropped;

    @Setup(Level.Trial)
    public void setUp() {
        mix = new MessageMix(LinkType.valueOf(linkType));
        filters = FilterChain.build(chain);
        dropped = new long[filters.length];
        now = 1_700_000_000_000_000_000L;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long total = invalid + forwarded;
        for (long d : dropped) {
            total += d;
        }
        if (total > 0) {
            StringBuilder sb = new StringBuilder("\n[outcome per message] invalid ").append(pct(invalid, total));
            for (int i = 0; i < filters.length; i++) {
                sb.append(", dropped by ").append(filters[i].getClass().getSimpleName()).append(' ').append(pct(dropped[i], total));
            }
            sb.append(", forwarded ").append(pct(forwarded, total));
            System.out.println(sb);
        }
        for (Filter f : filters) {
            f.close();
        }
    }

    private static String pct(long n, long total) {
        return String.format("%.1f%%", 100.0 * n / total);
    }

    @Benchmark
    @OperationsPerInvocation(MessageMix.BATCH)
    public long decodeAndFilter() {
        MessageMix m = mix;
        m.freshen(round++);
        LinkType lt = m.linkType;
        Filter[] fs = filters;
        long fwd = 0;
        next:
        for (int i = 0; i < MessageMix.BATCH; i++) {
            Packet p = packet.wrap(m.buffer, m.offset[i], m.length[i], lt, now += spacingNanos);
            if (!p.decode()) {
                invalid++;
                continue;
            }
            for (int f = 0; f < fs.length; f++) {
                Verdict v = fs[f].apply(p);
                if (v.isDrop()) {
                    dropped[f]++;
                    continue next;
                }
            }
            fwd++;
        }
        forwarded += fwd;
        return fwd;
    }
}
