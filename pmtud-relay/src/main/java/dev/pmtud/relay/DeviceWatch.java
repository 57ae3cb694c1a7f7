package dev.pmtud.relay;

import dev.pmtud.api.Metrics;
import dev.pmtud.api.Outage;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.PollSet;
import dev.pmtud.sys.netlink.Link;
import dev.pmtud.sys.netlink.Rtnetlink;
import dev.pmtud.sys.netlink.RtnetlinkEvents;
import java.io.IOException;

/**
 * Keeps the inject sink's TUN device in place: a thread that hears, through the kernel's link
 * notifications ({@link RtnetlinkEvents}), when someone deletes it ({@code ip link del pmtud0}, a
 * cleanup script), and creates it again at once (counted in {@code pmtud_inject_recreated_total}).
 * While it cannot (the name was taken by a device pmtud did not create, which it never touches) it
 * tries again every second and the sink's {@link Outage} says why. The new device is published
 * for the sending thread, which retires the old one itself: only the thread that writes to a
 * descriptor closes it, so a write never lands on a reused descriptor number.
 */
final class DeviceWatch implements AutoCloseable {
    static final String RECREATED = "pmtud_inject_recreated_total";
    private static final int RETRY_MILLIS = 1000;
    private static final long JOIN_MILLIS = 3000;

    /** Creates the device again, configured as at open. */
    interface Factory {
        InjectDevice create() throws IOException;
    }

    private final String name;
    private final String label;
    private final Factory factory;
    private final Outage outage;
    private final System.Logger log;
    private final Metrics.Counter recreated;
    private final RtnetlinkEvents events;
    private final Rtnetlink netlink;
    private final PollSet poll;
    private final Thread thread;
    private volatile InjectDevice current;
    /** Refresh thread only: the device is gone and could not be created again yet. */
    private boolean missing;

    private DeviceWatch(InjectDevice first, Factory factory, Outage outage, System.Logger log, Metrics.Counter recreated,
                        String label, RtnetlinkEvents events, Rtnetlink netlink, PollSet poll) {
        this.current = first;
        this.name = first.name();
        this.factory = factory;
        this.outage = outage;
        this.log = log;
        this.recreated = recreated;
        this.label = label;
        this.events = events;
        this.netlink = netlink;
        this.poll = poll;
        this.thread = new Thread(this::loop, "pmtud-inject-watch-" + label);
        thread.setDaemon(true);
    }

    /** Starts watching {@code first}, in the calling thread's network namespace (the thread and its sockets live there). */
    static DeviceWatch start(InjectDevice first, Factory factory, Outage outage, System.Logger log, Metrics.Counter recreated,
                             String label) throws NativeException {
        RtnetlinkEvents events = RtnetlinkEvents.open(RtnetlinkEvents.LINKS);
        Rtnetlink netlink = null;
        try {
            netlink = Rtnetlink.open();
            PollSet poll = new PollSet(events.fd());
            DeviceWatch w = new DeviceWatch(first, factory, outage, log, recreated, label, events, netlink, poll);
            w.thread.start();
            return w;
        } catch (NativeException | RuntimeException e) {
            events.close();
            if (netlink != null) {
                netlink.close();
            }
            throw e;
        }
    }

    /** The device to write into now. Any thread. */
    InjectDevice current() {
        return current;
    }

    private void loop() {
        try {
            while (true) {
                int r = poll.await(missing ? RETRY_MILLIS : -1);
                if (r == PollSet.WOKEN) {
                    return;
                }
                boolean[] concerns = {missing};
                if (poll.readable(0)) {
                    boolean complete = events.drain(link -> concerns[0] |= concerns(link));
                    concerns[0] |= !complete; // lost notifications: look again
                }
                if (concerns[0]) {
                    check();
                }
            }
        } catch (NativeException e) {
            log.log(System.Logger.Level.WARNING, "inject sink {0}: watch on device {1} stopped: {2}", label, name, e.getMessage());
        }
    }

    private boolean concerns(Link link) {
        return link.deleted() && (link.index() == current.index() || link.name().equals(name));
    }

    /** Whether the device is still ours; if not, creates it again and publishes it. */
    private void check() throws NativeException {
        InjectDevice was = current;
        if (netlink.linkIndex(name) == was.index()) {
            missing = false;
            return;
        }
        outage.begin("device " + name + " (index " + was.index() + ") was deleted; creating it again");
        try {
            InjectDevice fresh = factory.create();
            current = fresh;
            missing = false;
            recreated.increment();
            outage.end("device " + name + " created again as index " + fresh.index());
        } catch (IOException | RuntimeException e) {
            if (!missing) {
                log.log(System.Logger.Level.WARNING, "inject sink {0}: cannot create device {1} again: {2}; trying every second",
                        label, name, e.getMessage());
            }
            missing = true;
            outage.begin("device " + name + " was deleted and cannot be created again: " + e.getMessage());
        }
    }

    /** Stops the thread and waits for it (bounded). The devices are the sink's to remove. */
    @Override
    public void close() {
        if (!poll.stop(thread, JOIN_MILLIS)) {
            log.log(System.Logger.Level.WARNING, "inject sink {0}: device watch still busy after {1} ms; left to finish alone",
                    label, JOIN_MILLIS);
            return;
        }
        events.close();
        netlink.close();
    }
}
