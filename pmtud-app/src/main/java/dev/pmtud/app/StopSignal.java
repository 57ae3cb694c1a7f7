package dev.pmtud.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the process is told from outside, for the run loop to act on: a one-shot "please stop"
 * (SIGINT, SIGTERM) and, while a daemon accepts them, "reload the configuration" (SIGHUP, a
 * changed file). Requests to reload that arrive while one is pending are one reload.
 */
public final class StopSignal {
    private final CountDownLatch latch = new CountDownLatch(1);
    /** Released by every request, so that the run loop wakes for a reload as for a stop. */
    private final Semaphore events = new Semaphore(0);
    private final AtomicReference<String> reload = new AtomicReference<>();
    private volatile boolean reloads;
    private volatile String why;

    public void trigger(String reason) {
        if (why == null) {
            why = reason;
        }
        latch.countDown();
        events.release();
    }

    public boolean triggered() {
        return latch.getCount() == 0;
    }

    public String reason() {
        return why;
    }

    /** @return true when triggered within {@code timeout} */
    public boolean await(Duration timeout) throws InterruptedException {
        return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** From now on SIGHUP asks for a reload (a daemon's run loop takes them) instead of stopping. */
    public void acceptReloads() {
        reloads = true;
    }

    /**
     * Asks the run loop to reload its configuration; {@code reason} says why, for the log (the
     * first reason of requests that arrive before the loop takes them).
     */
    public void requestReload(String reason) {
        reload.compareAndSet(null, reason);
        events.release();
    }

    /** The pending reload's reason, once (then {@code null} until the next request); {@code null} when none is pending. */
    public String takeReload() {
        return reload.getAndSet(null);
    }

    /** Waits until a stop or a reload is requested, or {@code timeout} passes. */
    public void awaitRequest(Duration timeout) throws InterruptedException {
        if (events.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            events.drainPermits();
        }
    }

    /**
     * Routes SIGINT and SIGTERM here instead of the JVM's default, which would run shutdown hooks and
     * exit 130/143: the daemon wants to stop its sources, flush its sinks and exit 0. SIGHUP, whose
     * default kills the process (129) without any of that, reloads a daemon that accepts reloads and
     * stops any other command as SIGTERM does (a closed terminal).
     */
    // sun.misc.Signal (jdk.unsupported): the only way to handle a signal and still choose the exit status;
    // javac warns about it and that warning cannot be suppressed.
    public void installSignalHandlers() {
        for (String name : new String[] {"INT", "TERM"}) {
            handle(name, () -> trigger("SIG" + name));
        }
        handle("HUP", () -> {
            if (reloads) {
                requestReload("SIGHUP");
            } else {
                trigger("SIGHUP");
            }
        });
    }

    private static void handle(String name, Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
        } catch (IllegalArgumentException e) {
            // this platform does not let us handle it; the JVM default applies
        }
    }
}
