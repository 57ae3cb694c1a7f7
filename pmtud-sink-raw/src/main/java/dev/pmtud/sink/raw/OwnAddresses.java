package dev.pmtud.sink.raw;

import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.Rtnetlink;
import java.net.InetAddress;
import java.util.Set;

/**
 * This node's own addresses, which a replicator never sends to: read when the sink opens and again
 * by the refresh thread. A change publishes a new set, so the sending thread sees it by identity.
 */
final class OwnAddresses {
    private final Rtnetlink netlink;
    private volatile Set<InetAddress> current;

    OwnAddresses(Rtnetlink netlink) throws NativeException {
        this.netlink = netlink;
        this.current = netlink.localAddresses();
    }

    Set<InetAddress> current() {
        return current;
    }

    /** Reads them again; publishes a new set only when they changed. */
    void refresh() throws NativeException {
        Set<InetAddress> now = netlink.localAddresses();
        if (!now.equals(current)) {
            current = now;
        }
    }
}
