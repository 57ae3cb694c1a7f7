package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class VerdictTest {
    @Test
    void passAndDrop() {
        assertFalse(Verdict.PASS.isDrop());
        assertNull(Verdict.PASS.reason());
        assertEquals("pass", Verdict.PASS.toString());
        Verdict d = Verdict.drop("mtu-below-min");
        assertTrue(d.isDrop());
        assertEquals("mtu-below-min", d.reason());
        assertEquals("drop(mtu-below-min)", d.toString());
    }

    @Test
    void aDropNeedsAReason() {
        assertThrows(NullPointerException.class, () -> Verdict.drop(null));
        assertThrows(IllegalArgumentException.class, () -> Verdict.drop(""));
    }
}
