package dev.pmtud.source.nflog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The adaptive batching decisions in receive-loop time, without a kernel. */
class NflogBatchControlTest {
    private static final int SLOTS = 8;
    private static final long MS = 1_000_000L;
    private static final long CALM = 1000 * MS;

    @Test
    void aBacklogOfFourFullReadsInARowSwitchesToTheBurstThreshold() {
        NflogBatchControl c = new NflogBatchControl(1, 32, CALM);
        assertEquals(1, c.received(SLOTS, SLOTS, 0));
        assertEquals(1, c.received(SLOTS, SLOTS, 1));
        assertEquals(1, c.received(SLOTS, SLOTS, 2));
        assertEquals(32, c.received(SLOTS, SLOTS, 3), "the fourth full read in a row");
        assertEquals(1, c.switches());
    }

    @Test
    void aPartialReadBetweenFullOnesIsNoBacklog() {
        NflogBatchControl c = new NflogBatchControl(1, 32, CALM);
        for (int round = 0; round < 10; round++) {
            c.received(SLOTS, SLOTS, round);
            c.received(SLOTS, SLOTS, round);
            c.received(SLOTS, SLOTS, round);
            assertEquals(1, c.received(SLOTS - 1, SLOTS, round), "the queue ran dry: the reader keeps up");
        }
        assertEquals(0, c.switches());
    }

    @Test
    void anOverrunSwitchesAtOnce() {
        NflogBatchControl c = new NflogBatchControl(1, 32, CALM);
        assertEquals(32, c.overrun(5 * MS));
        assertEquals(32, c.current());
    }

    @Test
    void theBaseThresholdComesBackOnlyAfterACalmSecond() {
        NflogBatchControl c = new NflogBatchControl(1, 32, CALM);
        c.overrun(0);
        assertEquals(32, c.received(3, SLOTS, 500 * MS), "still within the calm period");
        assertEquals(32, c.idle(999 * MS));
        assertEquals(1, c.idle(1000 * MS), "a second without a backlog");
        assertEquals(2, c.switches());
    }

    @Test
    void everyBacklogRestartsTheCalmPeriod() {
        NflogBatchControl c = new NflogBatchControl(1, 32, CALM);
        c.overrun(0);
        for (int i = 0; i < 4; i++) {
            c.received(SLOTS, SLOTS, 900 * MS);
        }
        assertEquals(32, c.received(1, SLOTS, 1500 * MS), "the full reads at 900 ms were a backlog");
        assertEquals(1, c.received(1, SLOTS, 1900 * MS));
    }

    @Test
    void aBurstThresholdNotAboveTheBaseIsNoAdaptation() {
        NflogBatchControl off = new NflogBatchControl(16, 16, CALM);
        assertFalse(off.adaptive());
        assertEquals(16, off.overrun(0));
        NflogBatchControl lower = new NflogBatchControl(16, 4, CALM);
        assertFalse(lower.adaptive());
        assertEquals(16, lower.overrun(0));
        assertEquals(0, lower.switches());
        assertTrue(new NflogBatchControl(1, 2, CALM).adaptive());
    }
}
