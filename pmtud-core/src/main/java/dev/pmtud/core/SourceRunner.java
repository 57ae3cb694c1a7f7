package dev.pmtud.core;

import dev.pmtud.api.Health;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Source;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One source and the platform thread that runs it, named {@code source-<name>}, or
 * {@code source-<pipeline>-<name>} when the runtime runs several pipelines.
 *
 * <p>The thread is the source's lifecycle: it runs {@link Source#run}, then {@link Source#close}
 * on its way out, so the source is closed by the thread that used it and only after it stopped
 * using it. Stopping is {@link Source#wakeup()}; waiting for the end is joining the thread. The
 * other methods are called by the runtime's lifecycle thread only ({@link NodeRuntime} serialises
 * start and close), so {@link #state} needs no lock; {@link #healthy()} reads it from anywhere.
 * A runner can be stopped on its own while the others keep running (a reload replacing one source).
 */
final class SourceRunner {
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    /** Where the runner is in its life; only ever moves forward. */
    private enum State {
        /** Built; open() not called. Stopping it does nothing. */
        NEW,
        /** open() called (it may have thrown); no thread yet. Stopping it closes the source here. */
        OPENED,
        /** Its thread started; the thread closes the source. Stopping it wakes the source. */
        STARTED,
        /** Told to stop. */
        STOPPED
    }

    private final String name;
    /** How threads and logs name it: the name, or pipeline-name when there are several pipelines. */
    private final String shownAs;
    private final Source source;
    /** The context its meters and peer listeners belong to. */
    private final RuntimeContext context;
    /** What its block says ({@link ComponentBlock#content()}); {@code null} for a source given in code, never kept by a reload. */
    private final String identity;
    private final LongAdder received = new LongAdder();
    private final Metrics.Counter receivedCounter;
    private volatile State state = State.NEW;
    /** What run() threw, if it did: the source failed (healthz, readyz). */
    private volatile Throwable failure;
    /** Why a reload could not open this source (it stays in its pipeline, stopped, not ready). */
    private volatile Throwable openFailure;
    /** Written once by start(); read by whoever waits for the end. */
    private volatile Thread thread;

    /**
     * @param shownAs  how the thread and log lines name the source (the name, or pipeline-name)
     * @param context  the source's own context (its meters are registered there)
     * @param identity what its block says, or {@code null} for a source given in code
     */
    SourceRunner(String name, String shownAs, Source source, RuntimeContext context, String identity) {
        this.name = name;
        this.shownAs = shownAs;
        this.source = source;
        this.context = context;
        this.identity = identity;
        Metrics metrics = context.metrics();
        this.receivedCounter = metrics.counter("pmtud_received_total", "Packets a source read", "source", name);
        metrics.functionCounter("pmtud_source_lost_total",
                "Packets the kernel or capture layer dropped before pmtud read them", source::lost, "source", name);
        metrics.gauge("pmtud_source_failing", "1 while the source cannot capture (its thread stopped, or Source.health()), else 0",
                () -> problem() == null ? 0 : 1, "source", name);
    }

    String name() {
        return name;
    }

    String shownAs() {
        return shownAs;
    }

    Source source() {
        return source;
    }

    RuntimeContext context() {
        return context;
    }

    String identity() {
        return identity;
    }

    /** Whether a reload may keep this runner for a block whose content is {@code wanted}: the same block, and running well. */
    boolean keepableFor(String wanted) {
        return identity != null && identity.equals(wanted) && healthy();
    }

    long received() {
        return received.sum();
    }

    /** Counts the packet, then hands it on: what the source's run() gets. */
    PacketHandler counting(PacketHandler next) {
        return packet -> {
            received.increment();
            receivedCounter.increment();
            next.handle(packet);
        };
    }

    /** Opens the source; from now on it is closed exactly once, even when this throws. */
    void open() throws IOException {
        state = State.OPENED;
        source.open();
    }

    /** Starts the source's thread: run(), then close(). */
    void start(PacketHandler handler) {
        thread = new Thread(() -> run(handler), "source-" + shownAs);
        // A source stuck in a system call must never keep the JVM alive; close() owns shutdown.
        thread.setDaemon(true);
        state = State.STARTED;
        thread.start();
    }

    private void run(PacketHandler handler) {
        try {
            source.run(handler);
        } catch (IOException | RuntimeException e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "source " + shownAs + " stopped: " + e.getMessage(), e);
        } finally {
            closeSource();
        }
    }

    private void closeSource() {
        try {
            source.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing source " + shownAs + " failed: " + e, e);
        }
    }

    /**
     * Why the source cannot capture, or {@code null}: its run() threw, or it says so itself
     * ({@link Source#health()}; a health() that throws is failing too). Only once started.
     */
    String problem() {
        Throwable notOpened = openFailure;
        if (notOpened != null) {
            return "could not be opened: " + notOpened.getMessage();
        }
        if (state != State.STARTED) {
            return null;
        }
        Throwable f = failure;
        if (f != null) {
            return "stopped: " + f.getMessage();
        }
        try {
            Health h = source.health();
            return h == null || h.ok() ? null : h.problem();
        } catch (RuntimeException e) {
            return "health() failed: " + e;
        }
    }

    /** A reload could not open this source: {@link #problem()} says why from now on. */
    void openFailed(Throwable why) {
        openFailure = why;
    }

    /** Whether a reload could not open this source (it then waits, not ready, for the next reload). */
    boolean openFailed() {
        return openFailure != null;
    }

    /** Started and not failed (a file source that reached its end stays healthy until stopped). */
    boolean healthy() {
        return state == State.STARTED && failure == null;
    }

    /**
     * Tells the source to stop: a running one is woken (its thread then closes it), one that was
     * opened but never started is closed here, on the calling thread. Idempotent.
     */
    void stop() {
        State was = state;
        state = State.STOPPED;
        if (was == State.STARTED) {
            try {
                source.wakeup();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "waking source " + shownAs + " failed: " + e, e);
            }
        } else if (was == State.OPENED) {
            closeSource();
        }
    }

    /**
     * Waits up to {@code nanos} (0: not at all) for the source's thread to end, that is for its
     * run() and close() to have returned; true when it has, or never started.
     */
    boolean join(long nanos) throws InterruptedException {
        Thread t = thread;
        if (t == null) {
            return true;
        }
        TimeUnit.NANOSECONDS.timedJoin(t, nanos);
        return !t.isAlive();
    }
}
