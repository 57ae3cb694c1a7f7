package dev.pmtud.bench;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The decoder alone, on one thread.
 * One operation is one message (each invocation handles a {@link MessageMix#BATCH batch}), so
 * {@code ns/op} is ns per message and {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes per
 * message.
 *
 * {@code decode}: wrap + decode, as the runtime does before any filter, on the mix of
 * {@link MessageMix} (valid, duplicate, excluded, invalid) as NFLOG delivers it (RAW) or as a
 * capture on an interface does (ETHERNET).
 * Capture timestamps advance by {@link #spacingNanos} per message (see {@link MixBenchmark}).
 */
public class DecodeBenchmark extends MixBenchmark {

    @Param({"RAW", "ETHERNET"})
    public String linkType;

    @Setup(Level.Trial)
    public void setUp() {
        setUpMix(LinkType.valueOf(linkType));
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
