package dev.pmtud.sink.raw;

import dev.pmtud.api.PeerCounters;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

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

    /** Sends to {@code list} from now on (all of this family), counting into {@code counters}. */
    void sendTo(List<InetAddress> list, PeerCounters[] counters) {
        closePeers();
        peers = list.isEmpty() ? null : PeerVector.ip(list, counters);
    }

    /** Sends {@code b[off, off + len)} to every peer of this family. */
    void send(byte[] b, int off, int len) {
        PeerVector v = peers;
        if (v == null) {
            return;
        }
        if (socket == null) {
            for (int i = 0; i < v.size(); i++) {
                v.counters(i).error(unavailable).increment();
            }
            return;
        }
        v.send(socket.fd(), b, off, len);
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
