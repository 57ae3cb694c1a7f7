package dev.pmtud.sink.raw;

import dev.pmtud.sys.EventFd;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.PollSet;
import dev.pmtud.sys.netlink.Link;
import dev.pmtud.sys.netlink.Neighbour;
import dev.pmtud.sys.netlink.RtnetlinkEvents;
import java.io.IOException;

/**
 * The raw sink's one background thread: it asks the kernel again what a replicator must know (its
 * interface, own addresses, the peers' neighbour entries) every {@code refresh}, soon after the
 * sending thread {@link #requestSoon() asks} for it, and when the kernel's notifications say
 * something the replicator follows changed: at once for its interface (deleted, created again,
 * renamed, given an address: {@link FollowedLink}), at most once a second for a peer's neighbour
 * entry (resolved, failed). It waits in a {@link PollSet} on a doorbell ({@link EventFd}) and the
 * notifications ({@link RtnetlinkEvents}), so closing wakes it at once, even from one of its
 * {@link #pause pauses}.
 */
final class Refresher implements AutoCloseable {
    /** Requests closer together than this are one request: a peer without a MAC asks on every message. */
    private static final long REQUEST_SPACING_NANOS = 1_000_000_000L;
    /** Refreshes for neighbour notifications at most this often: a dead peer's entry changes with every probe. */
    private static final long NEIGHBOUR_SPACING_NANOS = 1_000_000_000L;
    private static final long JOIN_MILLIS = 3000;
    private static final int EVENTS = 1;

    /** What the thread does, on the thread, and which notifications concern it. */
    interface Task {
        /** Reads again what may have changed; {@link Refresher#pause} may wait within. */
        void refresh(Refresher refresher) throws IOException;

        /** Whether this link notification may concern it (its interface: name or index). */
        default boolean concerns(Link link) {
            return false;
        }

        /** Whether an address change on link {@code ifIndex} may concern it (its interface). */
        default boolean concernsAddressOn(int ifIndex) {
            return false;
        }

        /** Whether this neighbour notification may concern it (a peer's entry). */
        default boolean concerns(Neighbour neighbour) {
            return false;
        }
    }

    private final String threadName;
    private final long intervalNanos;
    private final System.Logger log;
    private final String label;
    private EventFd doorbell;
    private RtnetlinkEvents events;
    private PollSet poll;
    private Task task;
    private Thread thread;
    private volatile boolean closing;
    // refresh thread only: what notifications said since the last refresh
    private boolean linkChanged;
    private boolean neighbourChanged;
    private long lastRequest = System.nanoTime() - REQUEST_SPACING_NANOS;

    Refresher(RawSettings settings, System.Logger log) {
        this.threadName = "pmtud-raw-refresh-" + settings.label();
        this.intervalNanos = Math.max(1_000_000L, settings.refresh().toNanos());
        this.log = log;
        this.label = settings.label();
    }

    /**
     * Starts the thread, which runs {@code task} after every interval, every request and the
     * notifications that concern it. Called in the sink's network namespace: the thread and its
     * sockets live there.
     */
    void start(Task task) throws NativeException {
        this.task = task;
        try {
            doorbell = EventFd.open();
            events = RtnetlinkEvents.open(RtnetlinkEvents.LINKS | RtnetlinkEvents.ADDRESSES | RtnetlinkEvents.NEIGHBOURS);
            poll = new PollSet(doorbell.fd(), events.fd());
        } catch (NativeException e) {
            closeDescriptors();
            throw e;
        }
        thread = new Thread(this::loop, threadName);
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

    private void loop() {
        long due = System.nanoTime() + intervalNanos;
        long lastRun = System.nanoTime() - NEIGHBOUR_SPACING_NANOS;
        try {
            while (true) {
                long until = neighbourChanged ? Math.min(due, lastRun + NEIGHBOUR_SPACING_NANOS) : due;
                int wait = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (until - System.nanoTime()) / 1_000_000L));
                if (poll.await(wait) == PollSet.WOKEN) {
                    return;
                }
                boolean rung = doorbell.drain();
                readEvents();
                long now = System.nanoTime();
                if (!(now - due >= 0 || rung || linkChanged || neighbourChanged && now - lastRun >= NEIGHBOUR_SPACING_NANOS)) {
                    continue;
                }
                linkChanged = false;
                neighbourChanged = false;
                lastRun = now;
                due = now + intervalNanos;
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

    /** Reads the queued notifications, noting what concerns {@code task}; lost ones count as a link change. */
    private void readEvents() throws NativeException {
        if (!poll.readable(EVENTS)) {
            return;
        }
        boolean complete = events.drain(new RtnetlinkEvents.Listener() {
            @Override
            public void link(Link link) {
                linkChanged |= task.concerns(link);
            }

            @Override
            public void address(int ifIndex) {
                linkChanged |= task.concernsAddressOn(ifIndex); // a re-created interface gets its addresses after it appears
            }

            @Override
            public void neighbour(Neighbour neighbour) {
                neighbourChanged |= task.concerns(neighbour);
            }
        });
        linkChanged |= !complete;
    }

    /**
     * On the refresh thread, within the task: waits {@code millis}. Requests and notifications that
     * arrive meanwhile are served by the refresh under way and the next one.
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
            readEvents();
        }
        return !closing;
    }

    /** Stops the thread and waits for it (bounded); frees its poll set only once it has returned. */
    @Override
    public void close() {
        closing = true;
        if (thread == null) {
            closeDescriptors();
            return;
        }
        if (!poll.stop(thread, JOIN_MILLIS)) { // its poll set then stays allocated (PollSet.stop)
            log.log(System.Logger.Level.WARNING, "raw sink {0}: refresh thread still busy after {1} ms; left to finish alone",
                    label, JOIN_MILLIS);
            return;
        }
        closeDescriptors();
    }

    private void closeDescriptors() {
        if (poll != null) {
            poll.close();
        }
        if (events != null) {
            events.close();
        }
        if (doorbell != null) {
            doorbell.close();
        }
    }
}
