package dev.pmtud.core.filter;

import static dev.pmtud.testkit.Packets.T0;
import static dev.pmtud.testkit.Cfg.block;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Filter;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.testkit.AllocationCheck;
import dev.pmtud.testkit.Ptb;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in filters allocate nothing per packet, whatever they decide. */
class HotPathAllocationTest {
    private static final int PACKETS = 200_000;

    /** Runs every filter over packets from 256 sources, some repeated, with moving time. */
    private static void run(Filter[] filters, byte[] v4, byte[] v6, Packet p, int from, int to) {
        for (int i = from; i < to; i++) {
            byte[] l3 = (i & 1) == 0 ? v4 : v6;
            int srcOffset = (i & 1) == 0 ? 12 : 8 + 15;
            l3[srcOffset] = (byte) (i >>> 3);
            p.wrap(l3, 0, l3.length, LinkType.RAW, T0 + i * 1_000_000L);
            p.decode();
            for (Filter f : filters) {
                f.apply(p);
            }
        }
    }

    /** Peers for the service-addresses filter's table, IPv4 and IPv6. */
    private static List<java.net.InetAddress> peers() {
        try {
            return List.of(java.net.InetAddress.getByName("198.51.100.2"), java.net.InetAddress.getByName("198.51.100.3"),
                    java.net.InetAddress.getByName("2001:db8:1::2"));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Cluster addresses for the service-addresses filter's second table. */
    private static List<java.net.InetAddress> clusterAddresses() {
        try {
            return List.of(java.net.InetAddress.getByName("198.51.100.40"), java.net.InetAddress.getByName("2001:db8:1::40"));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void filtersDoNotAllocatePerPacket() {
        AllocationCheck.assumeMeasurable();
        Filter[] filters = List.of(
                FilterFactories.create(new ExcludeNetworksFilterFactory(),
                        block(1, "exclude-networks", "networks", dev.pmtud.testkit.Cfg.list(1, "198.51.100.0/24", "2001:db8:aa::/48"))),
                FilterFactories.create(new MtuRangeFilterFactory(), block(1, "mtu-range")),
                FilterFactories.create(new DedupFilterFactory(), block(1, "dedup", "window", "10ms", "max-entries", "128")),
                FilterFactories.create(new RateLimitFilterFactory(),
                        block(1, "rate-limit", "per-source", "100/s", "total", "500/s", "max-sources", "128")),
                FilterFactories.create(new ServiceAddressesFilterFactory(),
                        block(1, "service-addresses", "addresses", dev.pmtud.testkit.Cfg.list(1, "192.0.2.10/32", "2001:db8:5::/64")),
                        new dev.pmtud.testkit.TestContext().withPeers(peers()).withClusterAddresses(clusterAddresses())))
                .toArray(Filter[]::new);
        byte[] v4 = Ptb.v4().build();
        byte[] v6 = Ptb.v6().build();
        Packet p = new Packet();
        StringBuilder report = new StringBuilder();
        long allocated = 0;
        for (Filter f : filters) {
            Filter[] one = {f};
            long a = AllocationCheck.bytesAllocated((from, to) -> run(one, v4, v6, p, from, to), PACKETS);
            report.append(f.getClass().getSimpleName()).append(' ').append(a).append(' ');
            allocated = Math.max(allocated, a);
        }
        // About a kilobyte of slack for the measurement itself; one allocation per packet would be megabytes.
        assertTrue(allocated < 4096, "allocated " + report + " bytes for " + PACKETS + " packets");
    }

    /**
     * The same under C1 only ({@code -XX:TieredStopAtLevel=1}, the footprint option): C1 has no escape
     * analysis, so an iterator or any other short-lived object per packet would show here.
     */
    @Test
    void allocatesNothingUnderC1() throws Exception {
        AllocationCheck.assertPassesUnderC1(HotPathAllocationTest.class);
    }

    /** Entry point of {@link #allocatesNothingUnderC1}'s child JVM; exits non-zero when the check fails. */
    public static void main(String[] args) {
        new HotPathAllocationTest().filtersDoNotAllocatePerPacket();
        AllocationCheck.passed();
    }
}
