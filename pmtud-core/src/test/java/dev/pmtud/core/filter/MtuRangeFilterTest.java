package dev.pmtud.core.filter;

import static dev.pmtud.testkit.Packets.T0;
import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.map;
import static dev.pmtud.testkit.Cfg.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.Filter;
import dev.pmtud.api.Verdict;
import dev.pmtud.testkit.Packets;
import dev.pmtud.testkit.Ptb;
import org.junit.jupiter.api.Test;

class MtuRangeFilterTest {
    private static final int MIN = 576;
    private static final int MAX = 1500;
    private final Filter filter = FilterFactories.create(new MtuRangeFilterFactory(),
            block(1, "mtu-range", "min", String.valueOf(MIN), "max", String.valueOf(MAX)));

    @Test
    void boundsAreInclusive() {
        assertEquals(MtuRangeFilter.BELOW, filter.apply(Packets.of(Ptb.v4().mtu(MIN - 1), T0)).reason());
        assertEquals(Verdict.PASS, filter.apply(Packets.of(Ptb.v4().mtu(MIN), T0)));
        assertEquals(Verdict.PASS, filter.apply(Packets.of(Ptb.v4().mtu(MAX), T0)));
        assertEquals(MtuRangeFilter.ABOVE, filter.apply(Packets.of(Ptb.v4().mtu(MAX + 1), T0)).reason());
    }

    @Test
    void readsTheThirtyTwoBitIpv6Mtu() {
        Filter defaults = FilterFactories.create(new MtuRangeFilterFactory(), block(1, "mtu-range"));
        assertEquals(Verdict.PASS, defaults.apply(Packets.of(Ptb.v6().mtu(1280), T0)));
        // 65536 + 1280 only fits the 32-bit field: a decoder reading 16 bits would see 1280 and pass it.
        assertEquals(MtuRangeFilter.ABOVE, defaults.apply(Packets.of(Ptb.v6().mtu(65536 + 1280), T0)).reason());
        assertEquals(MtuRangeFilter.BELOW, defaults.apply(Packets.of(Ptb.v4().mtu(67), T0)).reason());
    }

    @Test
    void refusesMinAboveMax() {
        ConfigException e = assertThrows(ConfigException.class, () -> FilterFactories.create(new MtuRangeFilterFactory(),
                map(3, "type", "mtu-range", "min", s(4, "1500"), "max", s(5, "1400"))));
        assertTrue(e.getMessage().startsWith("pmtud.yaml:4: "), e.getMessage());
        assertTrue(e.getMessage().contains("min <= max"), e.getMessage());
    }

    @Test
    void refusesAMinNoIpv4MessageCanReach() {
        ConfigException e = assertThrows(ConfigException.class, () -> FilterFactories.create(new MtuRangeFilterFactory(),
                map(3, "type", "mtu-range", "min", s(4, "70000"), "max", s(5, "80000"))));
        assertTrue(e.getMessage().startsWith("pmtud.yaml:4: "), e.getMessage());
        assertTrue(e.getMessage().contains("65535"), e.getMessage());
    }

    @Test
    void refusesNegativeAndNonNumbers() {
        ConfigException negative = assertThrows(ConfigException.class, () -> FilterFactories.create(
                new MtuRangeFilterFactory(), map(3, "type", "mtu-range", "min", s(6, "-1"))));
        assertTrue(negative.getMessage().startsWith("pmtud.yaml:6: "), negative.getMessage());
        ConfigException word = assertThrows(ConfigException.class, () -> FilterFactories.create(
                new MtuRangeFilterFactory(), map(3, "type", "mtu-range", "max", s(8, "big"))));
        assertTrue(word.getMessage().startsWith("pmtud.yaml:8: "), word.getMessage());
    }
}
