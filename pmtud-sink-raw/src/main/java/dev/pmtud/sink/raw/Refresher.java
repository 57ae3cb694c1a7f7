package dev.pmtud.sink.raw;

import dev.pmtud.sys.EventFd;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.PollSet;
import java.io.IOException;

/**
 * The raw sink's one background thread: it asks the kernel again what a replicator must know (own
 * addresses, the peers' MACs) every {@code refresh}, and soon after the sending thread
 * {@link #requestSoon() asks} for it. It waits in a {@link PollSet} on a doorbell ({@link EventFd}),
 * so closing wakes it at once, even from one of its {@link #pause pauses}.
 */
final class Refresher implements AutoCloseable {
    /** Requests closer together than this are one request: a peer without a MAC asks on every message. */
    private static final long REQUEST_SPACING_NANOS = 1_000_000_000L;
    private static final long JOIN_MILLIS = 3000;

    /** What the thread does each time, on the thread; {@link Refresher#pause} may wait within it. */
    interface Task {
        void refresh(Refresher refresher) throws IOException;
    }

    private final String threadName;
    private final int intervalMillis;
    private final System.Logger log;
    private final String label;
    private EventFd doorbell;
    private PollSet poll;
    private Thread thread;
    private volatile boolean closing;
    private long lastRequest = System.nanoTime() - REQUEST_SPACING_NANOS;

    Refresher(RawSettings settings, System.Logger log) {
        this.threadName = "pmtud-raw-refresh-" + settings.label();
        this.intervalMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, settings.refresh().toMillis()));
        this.log = log;
        this.label = settings.label();
    }

    /** Starts the thread, which runs {@code task} after every interval and every request. */
    void start(Task task) throws NativeException {
        doorbell = EventFd.open();
        try {
            poll = new PollSet(doorbell.fd());
        } catch (NativeException e) {
            doorbell.close();
            throw e;
        }
        thread = new Thread(() -> loop(task), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** From the sending thread: run the task soon. At most one request a second gets through; allocates nothing. */
    void requestSoon() {
        long now = System.nanoTime();
        if (now - lastRequest >= REQUEST_SPACING_NANOS && doorbell != null) {
            lastRequest = now;
            doorbell.signal();
        }
    }

    private void loop(Task task) {
        try {
            while (poll.await(intervalMillis) != PollSet.WOKEN) {
                doorbell.drain();
                try {
                    task.refresh(this);
                } catch (IOException | RuntimeException e) {
                    if (!closing) {
                        log.log(System.Logger.Level.WARNING, "raw sink {0}: refresh failed: {1}", label, e.getMessage());
                    }
                }
            }
        } catch (NativeException e) {
            log.log(System.Logger.Level.WARNING, "raw sink {0}: refresh thread stopped: {1}", label, e.getMessage());
        }
    }

    /**
     * On the refresh thread, within the task: waits {@code millis}. Requests that arrive meanwhile
     * are served by the refresh under way.
     *
     * @return false when the sink is closing (the task should return)
     */
    boolean pause(long millis) throws NativeException {
        long end = System.nanoTime() + millis * 1_000_000L;
        for (long left = millis; left > 0; left = (end - System.nanoTime()) / 1_000_000L) {
            if (poll.await((int) left) == PollSet.WOKEN) {
                return false;
            }
            doorbell.drain();
        }
        return !closing;
    }

    /** Stops the thread and waits for it (bounded); frees its poll set only once it has returned. */
    @Override
    public void close() {
        closing = true;
        if (thread == null) {
            return;
        }
        poll.wakeup();
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.log(System.Logger.Level.WARNING, "raw sink {0}: refresh thread still busy after {1} ms; left to finish alone",
                    label, JOIN_MILLIS);
            return; // its poll set stays allocated: freeing memory a running poll() reads would be worse than a leak
        }
        poll.close();
        doorbell.close();
    }
}
