package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A thread blocked in poll returns when another thread calls wakeup, and stays woken. */
class PollSetTest {

    @Test
    void wakeupReleasesAThreadWaitingForeverAndStaysWoken() throws Exception {
        try (Descriptor fd = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM");
             PollSet poll = new PollSet(fd.fd())) {
            assertEquals(0, poll.await(0), "nothing ready, not woken");
            assertFalse(poll.readable(0));
            CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return poll.await(-1);
                } catch (NativeException e) {
                    throw new IllegalStateException(e);
                }
            });
            poll.wakeup();
            assertEquals(PollSet.WOKEN, waiter.get(10, TimeUnit.SECONDS));
            assertEquals(PollSet.WOKEN, poll.await(-1), "a woken set stays woken");
        }
    }

    /**
     * stop(): the thread waiting forever is woken, joined and the set closed (its eventfd too); a
     * thread that does not return in time keeps the set open, so its poll() never reads freed memory.
     */
    @Test
    void stopJoinsTheWaiterAndClosesOnlyWhenItEnded() throws Exception {
        try (Descriptor fd = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM")) {
            PollSet poll = new PollSet(fd.fd());
            Thread waiter = new Thread(() -> {
                try {
                    poll.await(-1);
                } catch (NativeException e) {
                    throw new IllegalStateException(e);
                }
            });
            waiter.start();
            assertTrue(poll.stop(waiter, 10_000), "the waiter ended");
            assertFalse(waiter.isAlive());
            assertTrue(poll.isClosed(), "closed once the waiter ended");

            CountDownLatch release = new CountDownLatch(1);
            PollSet busySet = new PollSet(fd.fd());
            Thread busy = new Thread(() -> {
                try {
                    release.await(); // not in poll: a wakeup does not end it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            busy.start();
            try {
                assertFalse(busySet.stop(busy, 50), "still busy after 50 ms");
                assertFalse(busySet.isClosed(), "the set stays open for the busy thread");
                assertEquals(PollSet.WOKEN, busySet.await(0), "and woken");
            } finally {
                release.countDown();
                busy.join(10_000);
                busySet.close();
            }
        }
    }
}
