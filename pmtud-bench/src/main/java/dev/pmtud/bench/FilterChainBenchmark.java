package dev.pmtud.bench;

import dev.pmtud.api.Filter;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-message hot path on one thread: what a source thread does between two reads, minus the sinks.
 * One operation is one message (each invocation handles a {@link MessageMix#BATCH batch}), so
 * {@code ns/op} is ns per message and {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes per
 * message.
 *
 * {@code decodeAndFilter}: wrap + decode + the filter chain {@link #chain} built through the
 * filters' own factories, counting each outcome as the runtime's counters do.
 * Capture timestamps advance by {@link #spacingNanos} per message (see {@link MixBenchmark}).
 */
public class FilterChainBenchmark extends MixBenchmark {

    /** The default chain as shipped ({@code flood}: defaults, so the rate limit drops most of a flood). */
    public static final String DEFAULT_CHAIN =
            "exclude-networks networks=" + MessageMix.EXCLUDED_NETWORK + "; mtu-range; dedup; rate-limit";
    /** rate-limit keys no flood reaches. */
    public static final String UNREACHED_RATE_LIMIT = "per-source=1000000000/s burst=1000000000";
    /** The same chain with a rate limit no flood reaches, so every new valid message is forwarded. */
    public static final String FORWARD_CHAIN = DEFAULT_CHAIN + " " + UNREACHED_RATE_LIMIT;

    @Param({"RAW"})
    public String linkType;

    @Param({DEFAULT_CHAIN, FORWARD_CHAIN})
    public String chain;

    private Filter[] filters;

    // outcome counters, as the runtime keeps them
    public long invalid;
    public long forwarded;
    public long[] dropped;

    @Setup(Level.Trial)
    public void setUp() {
        setUpMix(LinkType.valueOf(linkType));
        filters = FilterChain.build(chain);
        dropped = new long[filters.length];
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
