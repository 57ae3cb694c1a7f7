package dev.pmtud.sink.raw;

import dev.pmtud.api.Outage;
import dev.pmtud.api.PeerCounters;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.Sys;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * One address family of an {@link IpReplicator}: its raw socket and the peers of that family. When
 * this namespace has no such family (IPv6 disabled) there is no socket but the reason, and every
 * message to those peers is counted as failing with it.
 */
final class IpFamily implements AutoCloseable {
    private final int family;
    private final int protocol;
    private Descriptor socket;
    /** Why there is no socket (an errno); 0 while there is one, or before {@link #open}. */
    private int unavailable;
    private PeerVector peers;

    /** @param protocol what the socket sends: ICMP / ICMPv6 (l3) or IPIP / IPV6 (ipip) */
    IpFamily(int family, int protocol) {
        this.family = family;
        this.protocol = protocol;
    }

    /**
     * Opens the socket. IPv6 missing from this namespace is no error: returns false, and the IPv6
     * peers are counted failing with EAFNOSUPPORT.
     */
    boolean open(RawSockets sockets, SendInterface iface) throws IOException {
        try {
            socket = sockets.ip(family, protocol, iface);
            return true;
        } catch (NativeException e) {
            if (family != Linux.AF_INET6 || e.errno() != Errno.EAFNOSUPPORT) {
                throw e;
            }
            unavailable = e.errno();
            return false;
        }
    }

    /**
     * Binds the socket to {@code iface} again by name (SO_BINDTODEVICE), after it was deleted and
     * created again with a new index: the socket stays the same, so the sending thread never sees a
     * descriptor change. On the refresh thread; the kernel serialises it with a send under way.
     */
    void rebind(SendInterface iface) throws NativeException {
        if (socket != null) {
            Sys.bindToDevice(socket.fd(), iface.name());
        }
    }

    /**
     * Sends to {@code list} from now on (all of this family), counting into {@code counters}; what
     * the kernel accepts for a peer of {@code failed} counts as {@code neighbour-failed}.
     */
    void sendTo(List<InetAddress> list, PeerCounters[] counters, Set<InetAddress> failed) {
        closePeers();
        peers = list.isEmpty() ? null : PeerVector.ip(list, counters);
        for (int i = 0; i < list.size(); i++) {
            if (failed.contains(list.get(i))) {
                peers.unreachable(i, NeighbourTable.FAILED);
            }
        }
    }

    /** Sends {@code b[off, off + len)} to every peer of this family; tells {@code outage} whether any got it. */
    void send(byte[] b, int off, int len, Outage outage) {
        PeerVector v = peers;
        if (v == null) {
            return;
        }
        if (socket == null) {
            for (int i = 0; i < v.size(); i++) {
                v.counters(i).error(unavailable).increment();
            }
            return; // a family this namespace lacks: said once at open, not an outage
        }
        if (v.send(socket.fd(), b, off, len) > 0) {
            outage.delivered();
        } else {
            v.nothingDelivered(outage);
        }
    }

    private void closePeers() {
        if (peers != null) {
            peers.close();
            peers = null;
        }
    }

    @Override
    public void close() {
        closePeers();
        if (socket != null) {
            socket.close();
        }
    }
}
