package dev.pmtud.core;

import static dev.pmtud.testkit.Packets.T0;
import static dev.pmtud.testkit.Cfg.block;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Sink;
import dev.pmtud.core.filter.DedupFilterFactory;
import dev.pmtud.core.filter.MtuRangeFilterFactory;
import dev.pmtud.core.filter.RateLimitFilterFactory;
import dev.pmtud.testkit.AllocationCheck;
import dev.pmtud.testkit.Checksums;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runtime's own per-packet work (counting, timing, the chain, the sinks) allocates nothing. */
class PacketPathAllocationTest {
    private static final int PACKETS = 200_000;
    /** The next-hop MTU field: 20-byte IPv4 header, then bytes 6..7 of the ICMP header. */
    private static final int MTU_OFFSET = 20 + 6;
    private static final int CHECKSUM_OFFSET = 20 + 2;

    private static void run(PacketPath path, byte[] l3, Packet p, int from, int to) {
        for (int i = from; i < to; i++) {
            l3[15] = (byte) i; // 256 outer sources: some pass, some are duplicates or over their rate
            int mtu = i % 7 == 0 ? 40 : 1400; // and some report an MTU below the minimum
            l3[MTU_OFFSET] = (byte) (mtu >>> 8);
            l3[MTU_OFFSET + 1] = (byte) mtu;
            l3[CHECKSUM_OFFSET] = 0; // the decoder verifies the ICMP checksum, which covers the MTU
            l3[CHECKSUM_OFFSET + 1] = 0;
            int checksum = Checksums.internet(l3, 20, l3.length - 20);
            l3[CHECKSUM_OFFSET] = (byte) (checksum >>> 8);
            l3[CHECKSUM_OFFSET + 1] = (byte) checksum;
            p.wrap(l3, 0, l3.length, LinkType.RAW, T0 + i * 100_000L);
            path.process(p);
        }
    }

    @Test
    void processingAPacketAllocatesNothing() {
        AllocationCheck.assumeMeasurable();
        MicrometerMetrics metrics = new MicrometerMetrics(new SimpleMeterRegistry(), "node-a");
        TestContext context = new TestContext();
        List<FilterStage> chain = List.of(
                new FilterStage("mtu-range", new MtuRangeFilterFactory().create(
                        new ComponentConfig(block(1, "mtu-range"), "mtu-range"), context), metrics),
                new FilterStage("dedup", new DedupFilterFactory().create(
                        new ComponentConfig(block(1, "dedup", "window", "50ms", "max-entries", "1024"), "dedup"), context), metrics),
                new FilterStage("rate-limit", new RateLimitFilterFactory().create(
                        new ComponentConfig(block(1, "rate-limit", "per-source", "10/s", "max-sources", "1024"), "rate-limit"),
                        context), metrics));
        long[] sent = new long[1];
        Sink counting = new Sink() {
            @Override
            public void open() {
            }

            @Override
            public void send(Packet packet) {
                sent[0]++;
            }

            @Override
            public void close() {
            }
        };
        PacketPath path = new PacketPath("main", chain, List.of(new SinkStage("count", counting, metrics, System.getLogger("t"))),
                null, metrics);
        byte[] l3 = Ptb.v4().from("203.0.113.0").build();
        Packet p = new Packet();
        long allocated = AllocationCheck.bytesAllocated((from, to) -> run(path, l3, p, from, to), PACKETS);
        assertEquals(path.forwarded(), sent[0], "the sink saw every forwarded packet");
        assertTrue(sent[0] > 0 && chain.stream().allMatch(s -> s.dropped() > 0), 
                "every path was taken: forwarded " + sent[0] + ", dropped " + chain.stream().map(s -> s.label() + " " + s.dropped()).toList());
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes for " + PACKETS + " packets");
    }

    /**
     * The same under C1 only ({@code -XX:TieredStopAtLevel=1}, the footprint option): C1 has no escape
     * analysis, so an iterator or any other short-lived object per packet would show here.
     */
    @Test
    void allocatesNothingUnderC1() throws Exception {
        AllocationCheck.assertPassesUnderC1(PacketPathAllocationTest.class);
    }

    /** Entry point of {@link #allocatesNothingUnderC1}'s child JVM; exits non-zero when the check fails. */
    public static void main(String[] args) {
        new PacketPathAllocationTest().processingAPacketAllocatesNothing();
        AllocationCheck.passed();
    }
}
