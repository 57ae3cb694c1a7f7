package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RateTest {
    @Test
    void unitsPerSecondMinuteHour() {
        assertEquals(10.0, Rate.parse("10/s").perSecond(), 1e-12);
        assertEquals(10.0, Rate.parse("600/m").perSecond(), 1e-12);
        assertEquals(10.0, Rate.parse("36000/h").perSecond(), 1e-12);
        assertEquals(1.1, Rate.parse(" 1.1 / s ").perSecond(), 1e-12);
        assertEquals("600/m", Rate.parse("600/m").toString());
        assertEquals(2.5, Rate.perSecond(2.5).perSecond());
    }

    @Test
    void badRates() {
        for (String bad : new String[] {"10", "/s", "10/", "ten/s", "0/s", "-1/s", "10/d", "NaN/s", "Infinity/s", "10/sec"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rate.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Rate.perSecond(0));
        assertThrows(IllegalArgumentException.class, () -> Rate.perSecond(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Rate.perSecond(Double.POSITIVE_INFINITY));
    }
}
