package dev.pmtud.bench;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decoder alone, on one thread.
 * One operation is one message (each invocation handles a {@link MessageMix#BATCH batch}), so
 * {@code ns/op} is ns per message and {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes per
 * message.
 *
 * {@code decode}: wrap + decode, as the runtime does before any filter, on the mix of
 * {@link MessageMix} (valid, duplicate, excluded, invalid) as NFLOG delivers it (RAW) or as a
 * capture on an interface does (ETHERNET).
 * Capture timestamps advance by {@link #spacingNanos} per message: 200 ns is a 5 M msg/s flood.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class DecodeBenchmark {

    @Param({"RAW", "ETHERNET"})
    public String linkType;

    @Param({"200"})
    public long spacingNanos;

    private MessageMix mix;
    private final Packet packet = new Packet();
    private long now;
    private int round;

    @Setup(Level.Trial)
    public void setUp() {
        mix = new MessageMix(LinkType.valueOf(linkType));
        now = 1_700_000_000_000_000_000L;
    }

    @Benchmark
    @OperationsPerInvocation(MessageMix.BATCH)
    public long decode() {
        MessageMix m = mix;
        m.freshen(round++);
        LinkType lt = m.linkType;
        long sum = 0;
        for (int i = 0; i < MessageMix.BATCH; i++) {
            Packet p = packet.wrap(m.buffer, m.offset[i], m.length[i], lt, now += spacingNanos);
            if (p.decode()) {
                sum += p.nextHopMtu() + p.innerTransportWord();
            }
        }
        return sum;
    }
}
