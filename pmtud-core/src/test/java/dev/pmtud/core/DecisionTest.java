package dev.pmtud.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DecisionTest {

    @Test
    void eachOutcomeCarriesExactlyWhatItNeeds() {
        Decision drop = Decision.dropped("forwarded", "duplicate");
        assertEquals(Decision.Outcome.DROPPED, drop.outcome());
        assertEquals("forwarded", drop.filter());
        assertEquals("dropped by forwarded: duplicate", drop.toString());
        Decision invalid = Decision.invalid("not-icmp");
        assertNull(invalid.filter());
        assertEquals("invalid: not-icmp", invalid.toString());
        assertNull(Decision.FORWARDED.reason());
        assertEquals("forwarded", Decision.FORWARDED.toString());
    }

    @Test
    void inconsistentDecisionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Decision(Decision.Outcome.DROPPED, null, "duplicate"));
        assertThrows(IllegalArgumentException.class, () -> new Decision(Decision.Outcome.INVALID, "dedup", "not-icmp"));
        assertThrows(IllegalArgumentException.class, () -> new Decision(Decision.Outcome.FORWARDED, null, "why"));
        assertThrows(IllegalArgumentException.class, () -> Decision.invalid(null));
        assertThrows(NullPointerException.class, () -> new Decision(null, null, null));
    }
}
