package dev.pmtud.source.nflog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.PacketHandler;
import dev.pmtud.testkit.AllocationCheck;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.SourceThread;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Adaptive batching (issue 12, item 8) against the real kernel: a backlog switches the group to
 * kernel batches, which the same socket buffer holds ~3x more of, and a calm second switches back;
 * the receive loop allocates nothing while it does.
 */
@Tag("netns")
class NflogAdaptiveBatchingNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static byte[] message() {
        return Ptb.v4().from("203.0.113.1").to(NflogPair.NODE_V4).mtu(1400).build();
    }

    private static void sendAll(RawSender tx, byte[] message, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            tx.send(message);
        }
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String counts(NflogSource s) {
        return "received " + s.received() + ", lost " + s.lost() + ", ENOBUFS " + s.overruns() + ", dropped batches "
                + s.droppedBatches() + ", recv calls " + s.receiveCalls() + ", threshold switches " + s.batchSwitches();
    }

    /**
     * A 256 KiB buffer (512 KiB as the kernel counts) holds ~630 messages of one per batch (~830
     * bytes each with the kernel's overhead) but ~2,000 batched (~260 bytes each). A backlog of 200
     * (the consumer stalled, then draining in full reads) switches; the consumer stalls again on the
     * backlog's last message, so no read can undo the switch while a burst of 1,500 is queued, which
     * must then arrive whole; a calm second later the threshold is back at one message per batch.
     * The same burst with adaptation off overruns.
     */
    @Test
    void aBacklogSwitchesToKernelBatchesThatHoldABurstOneMessageBatchesCannot() throws Exception {
        Netns.assumeRoot();
        byte[] msg = message();
        int warmUp = 200;
        int burst = 1500;
        try (NflogPair pair = new NflogPair()) {
            CountDownLatch backlogSent = new CountDownLatch(1);
            CountDownLatch burstSent = new CountDownLatch(1);
            AtomicLong handled = new AtomicLong();
            PacketHandler stalledTwice = p -> {
                long n = handled.incrementAndGet();
                if (n == 1) {
                    await(backlogSent);
                } else if (n == warmUp) {
                    await(burstSent);
                }
            };
            NflogSettings small = NflogSettings.defaults(NflogPair.GROUP).withBuffer(256 * 1024);
            NflogSource s = pair.open(small);
            try (SourceThread t = SourceThread.start(s, stalledTwice, "nflog-adaptive"); RawSender tx = pair.sender()) {
                sendAll(tx, msg, warmUp);
                backlogSent.countDown();
                Await.until(WAIT, () -> "the backlog handled: " + counts(s), () -> handled.get() >= warmUp);
                // the consumer holds the backlog's last message: no read until the burst is queued
                assertEquals(1, s.batchSwitches(), "a backlog of " + warmUp + " drained in full reads switches: " + counts(s));
                sendAll(tx, msg, burst);
                burstSent.countDown();
                Await.until(WAIT, () -> "the burst handled: " + counts(s), () -> s.received() + s.lost() >= warmUp + burst);
                assertEquals(0, s.lost(), "batched, a stalled burst of " + burst + " fits the buffer: " + counts(s));
                assertEquals(warmUp + burst, s.received());
                assertEquals(0, s.overruns());
                Await.until(WAIT, () -> "back to one message per batch: " + counts(s), () -> s.batchSwitches() == 2);
            }

            handled.set(0);
            CountDownLatch released = new CountDownLatch(1);
            NflogSource off = pair.open(small.withBurstBatch(1));
            PacketHandler stalledOnFirst = p -> {
                if (handled.incrementAndGet() == 1) {
                    await(released);
                }
            };
            try (SourceThread t = SourceThread.start(off, stalledOnFirst, "nflog-not-adaptive"); RawSender tx = pair.sender()) {
                sendAll(tx, msg, burst);
                released.countDown();
                Await.until(WAIT, () -> "the burst accounted for: " + counts(off), () -> off.received() + off.lost() >= burst);
                assertTrue(off.lost() > 0, "without adaptive batching the same burst overruns: " + counts(off));
                assertEquals(0, off.batchSwitches());
            }
        }
    }

    /**
     * Rounds of a backlog (the consumer stalled while 1,000 messages queue), each switching to
     * batches and, after a calm second, back: the source thread allocates nothing per message for
     * it (less than a byte per message: one object per message or per switch would be 16 or more;
     * a one-off JIT deoptimization that re-materializes objects may take a few hundred).
     */
    @Test
    void switchingBackAndForthAllocatesNothingPerMessage() throws Exception {
        Netns.assumeRoot();
        AllocationCheck.assumeMeasurable();
        byte[] msg = message();
        int perRound = 1000;
        try (NflogPair pair = new NflogPair()) {
            AtomicBoolean stalled = new AtomicBoolean();
            AtomicLong handled = new AtomicLong();
            PacketHandler handler = p -> {
                handled.incrementAndGet();
                while (stalled.get()) {
                    Thread.onSpinWait();
                }
            };
            NflogSource s = pair.open(NflogSettings.defaults(NflogPair.GROUP));
            try (SourceThread t = SourceThread.start(s, handler, "nflog-adaptive-allocation"); RawSender tx = pair.sender()) {
                long before = 0;
                int rounds = 5;
                int measuredFrom = 2; // rounds 0 and 1 warm up (the loop and the switch get compiled)
                for (int round = 0; round < rounds; round++) {
                    if (round == measuredFrom) {
                        before = AllocationCheck.allocatedBytes(t.thread());
                    }
                    long switches = s.batchSwitches();
                    long target = handled.get() + perRound;
                    stalled.set(true);
                    tx.send(msg);
                    Await.until(WAIT, "the consumer stalled", () -> handled.get() == target - perRound + 1);
                    sendAll(tx, msg, perRound - 1);
                    stalled.set(false);
                    Await.until(WAIT, () -> "round handled: " + counts(s), () -> handled.get() == target);
                    Await.until(WAIT, () -> "switched there and back: " + counts(s), () -> s.batchSwitches() == switches + 2);
                }
                long allocated = AllocationCheck.allocatedBytes(t.thread()) - before;
                long measured = (long) (rounds - measuredFrom) * perRound;
                assertEquals(0, s.lost(), counts(s));
                assertTrue(allocated < measured, "the source thread allocated " + allocated + " bytes for " + measured
                        + " messages and " + 2 * (rounds - measuredFrom) + " threshold switches");
            }
        }
    }
}
