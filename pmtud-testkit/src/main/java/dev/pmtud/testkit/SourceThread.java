package dev.pmtud.testkit;

import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Source;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs an opened {@link Source} the way the runtime does, for tests of one source: {@code run()} on
 * a thread of its own, then {@code close()} on that same thread; {@link #stop(Duration)} wakes it
 * from the calling thread and waits for both to have returned.
 * <pre>
 *   try (SourceThread t = SourceThread.start(source, handler)) {
 *       ...                        // send, await what the handler saw
 *       t.stop(Duration.ofSeconds(1));  // optional: asserts a prompt stop; close() stops it too
 *   }
 * </pre>
 */
public final class SourceThread implements AutoCloseable {
    private final Source source;
    private final Thread thread;
    private volatile Throwable failure;

    private SourceThread(Source source, PacketHandler handler, String name) {
        this.source = source;
        this.thread = new Thread(() -> {
            try {
                source.run(handler);
            } catch (Throwable t) {
                failure = t;
            } finally {
                source.close();
            }
        }, name);
    }

    /** Starts {@code source} (already opened) on a thread named after its class. */
    public static SourceThread start(Source source, PacketHandler handler) {
        return start(source, handler, "source-under-test");
    }

    public static SourceThread start(Source source, PacketHandler handler, String threadName) {
        SourceThread t = new SourceThread(source, handler, threadName);
        t.thread.start();
        return t;
    }

    public Source source() {
        return source;
    }

    public Thread thread() {
        return thread;
    }

    /** What {@code run()} threw, or {@code null}. */
    public Throwable failure() {
        return failure;
    }

    /** Whether run() and close() have returned within {@code timeout} (a file source ends by itself). */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        TimeUnit.NANOSECONDS.timedJoin(thread, timeout.toNanos());
        return !thread.isAlive();
    }

    /**
     * Calls {@code wakeup()} and waits; fails unless run() and close() returned within
     * {@code timeout} and run() threw nothing.
     *
     * @return how long it took
     */
    public Duration stop(Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        source.wakeup();
        if (!awaitEnd(timeout)) {
            throw new AssertionError("run() and close() had not returned " + timeout.toMillis() + " ms after wakeup()");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (failure != null) {
            throw new AssertionError("run() failed: " + failure, failure);
        }
        return took;
    }

    /** {@link #stop(Duration)} with five seconds. */
    @Override
    public void close() throws InterruptedException {
        if (thread.isAlive() || failure != null) {
            stop(Duration.ofSeconds(5));
        }
    }
}
