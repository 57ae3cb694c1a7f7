package dev.pmtud.source.nflog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The loss arithmetic without a kernel: the sequence numbers and sk_drops readings a kernel would
 * give for a known number of dropped messages, and the count that must come out.
 */
class NflogLossCounterTest {
    /** sk_drops as the test sets it; -1 is "the kernel does not say". */
    private long skDrops;

    private NflogLossCounter started(long dropsBefore) {
        skDrops = dropsBefore;
        NflogLossCounter c = new NflogLossCounter(() -> skDrops);
        c.start();
        return c;
    }

    /** Delivers sequence numbers {@code from..to} inclusive. */
    private static void deliver(NflogLossCounter c, int from, int to) {
        for (int s = from; s <= to; s++) {
            c.sequence(s);
        }
    }

    @Test
    void batchOfOneCountsAGapOnceAlthoughSkDropsCountsTheSameMessages() {
        NflogLossCounter c = started(0);
        deliver(c, 0, 9);
        skDrops += 5;            // the kernel drops 10..14, one skb each
        c.reconcile();           // ENOBUFS: sk_drops read at once
        assertEquals(5, c.lost());
        deliver(c, 15, 20);      // the gap 10..14 shows now: the same five messages
        assertEquals(5, c.lost(), "a gap and sk_drops that count the same messages count them once");
        assertEquals(5, c.droppedBatches());
    }

    @Test
    void batchOfOneCountsLossAfterTheLastDeliveredMessageFromSkDropsAlone() {
        NflogLossCounter c = started(0);
        deliver(c, 0, 99);
        skDrops += 400;          // the tail of a burst: no later message will ever show a gap
        assertEquals(0, c.lost(), "nothing is known before sk_drops is read");
        c.reconcile();           // the socket went idle
        assertEquals(400, c.lost());
    }

    @Test
    void dropsBeforeTheGroupWasBoundAreNotCounted() {
        NflogLossCounter c = started(1234);
        deliver(c, 0, 3);
        c.reconcile();
        assertEquals(0, c.lost());
        assertEquals(0, c.droppedBatches());
        skDrops += 2;
        c.reconcile();
        assertEquals(2, c.lost());
    }

    @Test
    void aFreshInstanceNumbersFromZeroSoALossBeforeTheFirstDeliveryIsAGap() {
        NflogLossCounter c = started(0);
        c.sequence(3);           // 0, 1, 2 were dropped
        assertEquals(3, c.lost());
    }

    @Test
    void largerBatchesCountTrailingDroppedBatchesAsOneMessageUntilAGapMakesItExact() {
        NflogLossCounter c = started(0);
        deliver(c, 0, 15);
        skDrops += 2;            // two batches of 16 dropped: 16..47
        c.reconcile();
        assertEquals(2, c.lost(), "a lower bound: one message per dropped batch");
        assertEquals(2, c.droppedBatches());
        deliver(c, 48, 63);      // the gap tells exactly
        assertEquals(32, c.lost());
        c.reconcile();           // and re-reading sk_drops adds nothing: those batches are in the gap
        assertEquals(32, c.lost());
        skDrops += 1;            // one more batch at the end
        c.reconcile();
        assertEquals(33, c.lost());
    }

    @Test
    void aBatchSizeThatChangesWhileRunningKeepsEveryCountMadeBefore() {
        NflogLossCounter c = started(0);
        deliver(c, 0, 9);
        skDrops += 3;            // one message per batch: 10, 11, 12 dropped
        c.reconcile();
        assertEquals(3, c.lost());
        deliver(c, 13, 19);      // the gap shows the same three
        assertEquals(3, c.lost());
        // adaptive batching switches to batches of up to 16 under load
        skDrops += 2;            // two batches dropped: 20..51 (32 messages)
        c.reconcile();
        assertEquals(5, c.lost(), "three exact, two batches counted one message each");
        deliver(c, 52, 60);      // the gap replaces the two by the 32 they held
        assertEquals(35, c.lost());
        // back to one message per batch: a trailing loss is exact again
        skDrops += 4;            // 61..64
        c.reconcile();
        assertEquals(39, c.lost());
        assertEquals(9, c.droppedBatches());
    }

    @Test
    void sequenceNumbersWrapAndOldOnesAreNoGap() {
        NflogLossCounter c = new NflogLossCounter(() -> -1);
        c.sequence(-2);          // 0xfffffffe
        c.sequence(-1);
        c.sequence(1);           // 0 was dropped across the wrap
        assertEquals(1, c.lost());
        c.sequence(0);           // late or repeated: not a gap of 2^32 - 1
        assertEquals(1, c.lost());
    }

    @Test
    void withoutSkDropsOnlyGapsCount() {
        NflogLossCounter c = new NflogLossCounter(() -> -1);
        c.start();
        deliver(c, 0, 4);
        c.reconcile();
        assertEquals(0, c.lost());
        c.sequence(9);
        assertEquals(4, c.lost());
        assertEquals(0, c.droppedBatches());
    }
}
