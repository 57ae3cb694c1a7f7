package dev.pmtud.core;

import dev.pmtud.api.Metrics;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Source;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One source and the platform thread that runs it, named {@code source-<name>}, or
 * {@code source-<pipeline>-<name>} when the runtime runs several pipelines.
 */
final class SourceRunner {
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private final String name;
    /** How threads and logs name it: the name, or pipeline-name when there are several pipelines. */
    private final String shownAs;
    private final Source source;
    private final LongAdder received = new LongAdder();
    private final Metrics.Counter receivedCounter;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean openAttempted;
    private volatile boolean running;
    private volatile boolean failed;
    private volatile boolean closing;
    private Thread thread;

    /**
     * @param shownAs how the thread and log lines name the source (the name, or pipeline-name)
     * @param metrics the pipeline's metrics
     */
    SourceRunner(String name, String shownAs, Source source, Metrics metrics) {
        this.name = name;
        this.shownAs = shownAs;
        this.source = source;
        this.receivedCounter = metrics.counter("pmtud_received_total", "Packets a source read", "source", name);
        metrics.functionCounter("pmtud_source_lost_total",
                "Packets the kernel or capture layer dropped before pmtud read them", source::lost, "source", name);
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

    void open() throws IOException {
        openAttempted = true;
        source.open();
    }

    synchronized void start(PacketHandler handler) {
        thread = new Thread(() -> run(handler), "source-" + shownAs);
        // A source stuck in a system call must never keep the JVM alive; close() owns shutdown.
        thread.setDaemon(true);
        running = true;
        thread.start();
    }

    private void run(PacketHandler handler) {
        try {
            source.run(handler);
        } catch (IOException | RuntimeException e) {
            failed = true;
            // A source whose socket is closed under it may throw on its way out: not news at shutdown.
            LOG.log(closing ? System.Logger.Level.DEBUG : System.Logger.Level.ERROR,
                    "source " + shownAs + " stopped: " + e.getMessage(), e);
        } finally {
            ended.countDown();
        }
    }

    /** Started and not failed (a file source that reached its end stays ready). */
    boolean healthy() {
        return running && !failed;
    }

    boolean awaitEnd(long nanos) throws InterruptedException {
        return ended.await(nanos, TimeUnit.NANOSECONDS);
    }

    synchronized void close() {
        closing = true;
        if (thread == null) {
            ended.countDown(); // never started, and now never will: nothing to wait for
        }
        if (openAttempted) {
            try {
                source.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing source " + shownAs + " failed: " + e, e);
            }
        }
    }

    /** Waits for the thread to finish; false when it is still running after {@code nanos}. */
    boolean join(long nanos) throws InterruptedException {
        Thread thread;
        synchronized (this) {
            thread = this.thread;
        }
        if (thread == null) {
            return true;
        }
        TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, nanos));
        return !thread.isAlive();
    }
}
