package dev.pmtud.core.filter;

import static dev.pmtud.testkit.Packets.SECOND;
import static dev.pmtud.testkit.Packets.T0;
import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.map;
import static dev.pmtud.testkit.Cfg.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import dev.pmtud.testkit.Packets;
import dev.pmtud.testkit.Ptb;
import org.junit.jupiter.api.Test;

class DedupFilterTest {
    private static final long WINDOW = 2 * SECOND;
    private final DedupFilter filter = (DedupFilter) FilterFactories.create(new DedupFilterFactory(),
            block(1, "dedup", "window", "2s"));

    private Verdict at(Ptb message, long t) {
        return filter.apply(Packets.of(message, t));
    }

    private static Ptb base4() {
        return Ptb.v4().from("203.0.113.1").mtu(1400).tcp("192.0.2.10", 443, "198.51.100.7", 51000).sequence(1000);
    }

    @Test
    void dropsARepeatInsideTheWindow() {
        assertEquals(Verdict.PASS, at(base4(), T0));
        Verdict repeat = at(base4(), T0 + SECOND);
        assertTrue(repeat.isDrop());
        assertEquals(DedupFilter.DUPLICATE, repeat.reason());
    }

    @Test
    void ignoresTheTcpSequenceNumber() {
        assertEquals(Verdict.PASS, at(base4().sequence(1000), T0));
        assertEquals(DedupFilter.DUPLICATE, at(base4().sequence(1000 + 8960), T0 + 1).reason());
    }

    @Test
    void tellsPortsMtuSourcesAndProtocolsApart() {
        assertEquals(Verdict.PASS, at(base4(), T0));
        assertEquals(Verdict.PASS, at(base4().tcp("192.0.2.10", 443, "198.51.100.7", 51001), T0));
        assertEquals(Verdict.PASS, at(base4().tcp("192.0.2.10", 8443, "198.51.100.7", 51000), T0));
        assertEquals(Verdict.PASS, at(base4().mtu(1300), T0));
        assertEquals(Verdict.PASS, at(base4().from("203.0.113.2"), T0));
        assertEquals(Verdict.PASS, at(base4().udp("192.0.2.10", 443, "198.51.100.7", 51000), T0));
        assertEquals(Verdict.PASS, at(base4().tcp("192.0.2.11", 443, "198.51.100.7", 51000), T0));
        assertEquals(6, filter.size() - 1, "each variant is its own key besides the first");
    }

    @Test
    void aRepeatExactlyOneWindowLaterPassesAndStartsANewWindow() {
        assertEquals(Verdict.PASS, at(base4(), T0));
        assertTrue(at(base4(), T0 + WINDOW - 1).isDrop());
        assertEquals(Verdict.PASS, at(base4(), T0 + WINDOW));
        assertTrue(at(base4(), T0 + WINDOW + WINDOW - 1).isDrop(), "the window restarts at the second pass");
        assertEquals(Verdict.PASS, at(base4(), T0 + 2 * WINDOW));
    }

    @Test
    void dropsDoNotExtendTheWindow() {
        assertEquals(Verdict.PASS, at(base4(), T0));
        assertTrue(at(base4(), T0 + WINDOW - 1).isDrop());
        assertEquals(Verdict.PASS, at(base4(), T0 + WINDOW), "measured from the pass, not from the last drop");
    }

    @Test
    void timeGoingBackwardsByLessThanAWindowIsADuplicateAndByMoreIsNot() {
        assertEquals(Verdict.PASS, at(base4(), T0 + 10 * SECOND));
        assertTrue(at(base4(), T0 + 10 * SECOND - WINDOW + 1).isDrop());
        assertEquals(Verdict.PASS, at(base4(), T0 + 10 * SECOND - WINDOW));
    }

    @Test
    void worksForIpv6() {
        Ptb v6 = Ptb.v6().from("2001:db8:ff::1").mtu(1280).tcp("2001:db8:1::10", 443, "2001:db8:2::7", 40000);
        assertEquals(Verdict.PASS, at(v6, T0));
        assertTrue(at(Ptb.v6().from("2001:db8:ff::1").mtu(1280).tcp("2001:db8:1::10", 443, "2001:db8:2::7", 40000)
                .sequence(99), T0 + 1).isDrop());
        // Same first four bytes of every address, differing only at the end.
        assertEquals(Verdict.PASS, at(Ptb.v6().from("2001:db8:ff::2").mtu(1280)
                .tcp("2001:db8:1::10", 443, "2001:db8:2::7", 40000), T0 + 1));
        assertEquals(Verdict.PASS, at(Ptb.v6().from("2001:db8:ff::1").mtu(1280)
                .tcp("2001:db8:1::10", 443, "2001:db8:2::8", 40000), T0 + 1));
    }

    @Test
    void memoryStaysBoundedUnderAMillionDistinctMessages() {
        int max = 4096;
        DedupFilter small = (DedupFilter) FilterFactories.create(new DedupFilterFactory(),
                block(1, "dedup", "window", "1h", "max-entries", String.valueOf(max)));
        byte[] l3 = base4().build();
        Packet p = new Packet();
        int distinct = 1_000_000;
        int passed = 0;
        for (int i = 0; i < distinct; i++) {
            Packets.setOuterSourceV4(l3, i); // a different outer source each time
            p.wrap(l3, 0, l3.length, LinkType.RAW, T0 + i);
            if (!small.apply(p).isDrop()) {
                passed++;
            }
        }
        assertEquals(distinct, passed, "distinct messages are never duplicates");
        assertEquals(max, small.size());
        assertEquals(distinct - max, small.evictions(), "every insert beyond capacity forgets a live key");
        // The newest keys are still known: the last one repeated is a duplicate.
        p.wrap(l3, 0, l3.length, LinkType.RAW, T0 + distinct);
        assertTrue(small.apply(p).isDrop());
    }

    @Test
    void refusesBadWindowAndSize() {
        ConfigException unit = assertThrows(ConfigException.class, () -> FilterFactories.create(new DedupFilterFactory(),
                map(2, "type", "dedup", "window", s(3, "1 fortnight"))));
        assertTrue(unit.getMessage().startsWith("pmtud.yaml:3: "), unit.getMessage());
        ConfigException bare = assertThrows(ConfigException.class, () -> FilterFactories.create(new DedupFilterFactory(),
                map(2, "type", "dedup", "window", s(4, "10"))));
        assertTrue(bare.getMessage().startsWith("pmtud.yaml:4: "), bare.getMessage());
        ConfigException zero = assertThrows(ConfigException.class, () -> FilterFactories.create(new DedupFilterFactory(),
                map(2, "type", "dedup", "window", s(5, "0s"))));
        assertTrue(zero.getMessage().startsWith("pmtud.yaml:5: "), zero.getMessage());
        ConfigException size = assertThrows(ConfigException.class, () -> FilterFactories.create(new DedupFilterFactory(),
                map(2, "type", "dedup", "max-entries", s(6, "0"))));
        assertTrue(size.getMessage().startsWith("pmtud.yaml:6: "), size.getMessage());
    }
}
