package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.CompletableFuture;
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
}
