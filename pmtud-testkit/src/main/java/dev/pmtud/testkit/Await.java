package dev.pmtud.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline: a test awaits what it expects instead of sleeping a guess
 * or writing its own deadline loop.
 */
public final class Await {
    /** How often a condition is polled: an interval, not a guess at how long the thing takes. */
    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code timeout}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        until(timeout, () -> what, condition);
    }

    /**
     * {@link #until(Duration, String, BooleanSupplier)} whose description is made only on failure,
     * so it can report the state then (a log, a count).
     */
    public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        if (!within(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what.get());
        }
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes, and says whether it held:
     * for a test that asserts something more precise afterwards (a load test reporting what did
     * arrive).
     */
    public static boolean within(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting");
            }
        }
        return true;
    }
}
