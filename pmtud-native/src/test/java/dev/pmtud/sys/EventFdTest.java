package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A doorbell: a signal from another thread makes a poll return; draining makes it quiet again. */
class EventFdTest {

    @Test
    void aSignalWakesAPollOnceAndDrainingQuietsIt() throws Exception {
        try (EventFd bell = EventFd.open(); PollSet poll = new PollSet(bell.fd())) {
            assertEquals(0, poll.await(0), "quiet at first");
            assertFalse(bell.drain());
            CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return poll.await(-1);
                } catch (NativeException e) {
                    throw new IllegalStateException(e);
                }
            });
            bell.signal();
            bell.signal();
            assertEquals(1, waiter.get(10, TimeUnit.SECONDS));
            assertTrue(poll.readable(0));
            assertTrue(bell.drain(), "two signals, one drain");
            assertEquals(0, poll.await(0), "quiet again after the drain");
            assertFalse(bell.drain());
        }
    }

    @Test
    void signallingAfterCloseIsANoOp() throws Exception {
        EventFd bell = EventFd.open();
        bell.close();
        bell.signal();
        assertFalse(bell.drain());
        bell.close();
    }
}
