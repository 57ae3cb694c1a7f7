package dev.pmtud.bench;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the benchmarks over a {@link MessageMix} share: their JMH settings, the mix, the one
 * {@link Packet} a source reuses, and a round counter for {@link MessageMix#freshen(int)}.
 * Capture timestamps advance by {@link #spacingNanos} per message: 200 ns is a 5 M msg/s flood.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public abstract class MixBenchmark {
    @Param({"200"})
    public long spacingNanos;

    MessageMix mix;
    final Packet packet = new Packet();
    /** The capture time of the last message handed on. */
    long now;
    int round;

    /** Called from each benchmark's trial setup. */
    void setUpMix(LinkType linkType) {
        mix = new MessageMix(linkType);
        now = 1_700_000_000_000_000_000L;
    }
}
