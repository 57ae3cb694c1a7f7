package dev.pmtud.sink.raw;

import dev.pmtud.api.Outage;
import dev.pmtud.sys.netlink.Link;
import dev.pmtud.sys.netlink.Rtnetlink;
import java.io.IOException;

/**
 * The send interface, followed by name: a NIC driver reload, a bond rebuild or a CNI restart
 * deletes {@code eth0} and creates it again with a new index, and whatever was bound to the old
 * index (sockets, {@code sockaddr_ll}s, neighbour lookups) must follow. The {@link Refresher} checks
 * it when a link notification concerns it ({@link #concerns}) and at every refresh (the fallback
 * should a notification be lost); {@link #check} looks the name up, and when the index changed has
 * the replicator bind to the new one before publishing it. While the interface is gone the sink's
 * {@link Outage} says so.
 */
final class FollowedLink {
    /** What a replicator does when the interface changed. */
    interface Rebind {
        /**
         * Binds what it sends with to {@code now} (index 0: gone). Throwing leaves the old interface
         * published, so the next check tries again.
         */
        void rebind(SendInterface now) throws IOException;
    }

    private final String label;
    private final Rtnetlink netlink;
    private final Outage outage;
    private final System.Logger log;
    private volatile SendInterface current;
    /** The index it had when last present (for the log). Refresh thread only. */
    private int lastIndex;

    FollowedLink(SendInterface initial, Rtnetlink netlink, Outage outage, System.Logger log, String label) {
        this.current = initial;
        this.lastIndex = initial.index();
        this.netlink = netlink;
        this.outage = outage;
        this.log = log;
        this.label = label;
    }

    /** The interface as last seen; index 0 while it is gone. Any thread. */
    SendInterface current() {
        return current;
    }

    /** Whether a link notification may concern the interface: its name, or the index it had. */
    boolean concerns(Link link) {
        SendInterface c = current;
        return link.name().equals(c.name()) || c.present() && link.index() == c.index();
    }

    /** On the refresh thread: looks the name up; when its index changed, rebinds, publishes and says so. */
    void check(Rebind replicator) throws IOException {
        SendInterface was = current;
        Link link = netlink.link(was.name());
        int index = link == null ? 0 : link.index();
        if (index == was.index()) {
            return;
        }
        SendInterface now = new SendInterface(was.name(), index);
        replicator.rebind(now);
        current = now;
        if (now.present()) {
            String how = "interface " + now.name() + " is back as index " + index + " (was " + lastIndex + "), sending on it";
            lastIndex = index;
            if (!outage.end(how)) { // gone and back between two looks: no outage was under way, but say what changed
                log.log(System.Logger.Level.INFO, "raw sink {0}: {1}", label, how);
            }
        } else {
            outage.begin("interface " + was.name() + " is gone (it had index " + lastIndex + "); waiting for it to come back");
        }
    }
}
