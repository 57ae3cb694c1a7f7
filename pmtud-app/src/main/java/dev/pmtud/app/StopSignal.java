package dev.pmtud.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A one-shot "please stop" that signal handlers trigger and the run loop waits for. */
public final class StopSignal {
    private final CountDownLatch latch = new CountDownLatch(1);
    private volatile String why;

    public void trigger(String reason) {
        if (why == null) {
            why = reason;
        }
        latch.countDown();
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

    /**
     * Routes SIGINT and SIGTERM here instead of the JVM's default, which would run shutdown hooks and
     * exit 130/143: the daemon wants to stop its sources, flush its sinks and exit 0.
     */
    // sun.misc.Signal (jdk.unsupported): the only way to handle a signal and still choose the exit status;
    // javac warns about it and that warning cannot be suppressed.
    public void installSignalHandlers() {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> trigger("SIG" + name));
            } catch (IllegalArgumentException e) {
                // this platform does not let us handle it; the JVM default applies
            }
        }
    }
}
