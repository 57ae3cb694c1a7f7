package dev.pmtud.sink.raw;

import dev.pmtud.api.Outage;
import dev.pmtud.api.PeerCounters;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.MsgVector;
import java.net.InetAddress;
import java.util.List;

/**
 * One message to a list of peers as one {@code sendmmsg}: a {@link MsgVector} whose messages share
 * one payload and differ in destination only (an IP address, or a MAC on one link), and each peer's
 * counters, which {@link #send} counts every result into. A peer the kernel is known not to reach
 * ({@link #unreachable}: its neighbour entry failed) is still sent to, so that the kernel keeps
 * trying, but counted under that reason instead of as sent. Built when the peers change, never per
 * packet; {@link #close()} frees it.
 */
final class PeerVector implements AutoCloseable {
    /** Room for any IP packet. */
    static final int PAYLOAD_MAX = 65536;

    private final MsgVector vector;
    private final PeerCounters[] counters;
    private final String[] unreachable;
    private final int[] results;
    private int etherType = Linux.ETH_P_IP;

    private PeerVector(int size, PeerCounters[] counters) {
        this.counters = counters;
        this.unreachable = new String[size];
        this.results = new int[size];
        this.vector = MsgVector.sharedPayload(Math.max(1, size), PAYLOAD_MAX);
    }

    /** To each of {@code peers} (one address family) by IP: raw IP sockets. */
    static PeerVector ip(List<InetAddress> peers, PeerCounters[] counters) {
        PeerVector v = new PeerVector(peers.size(), counters);
        for (int i = 0; i < peers.size(); i++) {
            v.vector.destination(i, peers.get(i), 0); // raw sockets want port 0
        }
        return v;
    }

    /** To {@code macs[i]} for {@code peers[i]}'s node on link {@code ifIndex}: a packet socket. */
    static PeerVector link(long[] macs, PeerCounters[] counters, int ifIndex) {
        PeerVector v = new PeerVector(macs.length, counters);
        for (int i = 0; i < macs.length; i++) {
            v.vector.linkDestination(i, ifIndex, Linux.ETH_P_IP, macs[i]);
        }
        return v;
    }

    int size() {
        return results.length;
    }

    PeerCounters counters(int i) {
        return counters[i];
    }

    /** Peer {@code i} is known unreachable for {@code reason} (a constant): what the kernel accepts for it counts as that error. */
    void unreachable(int i, String reason) {
        unreachable[i] = reason;
    }

    /** Link destinations: the EtherType of the payload (IPv4 or IPv6), rewritten only when it changes. */
    void etherType(int type) {
        if (type != etherType) {
            vector.linkProtocol(results.length, type);
            etherType = type;
        }
    }

    /**
     * Sends {@code b[off, off + len)} to every peer on {@code fd}; counts each result for its peer.
     *
     * @return to how many peers it went (neither refused nor to a peer known unreachable)
     */
    int send(int fd, byte[] b, int off, int len) {
        vector.load(b, off, len);
        vector.sendAll(fd, results.length, Linux.MSG_DONTWAIT, results);
        int delivered = 0;
        for (int i = 0; i < results.length; i++) {
            if (results[i] != 0) {
                counters[i].error(results[i]).increment();
            } else if (unreachable[i] != null) {
                counters[i].error(unreachable[i]).increment();
            } else {
                counters[i].sent().increment();
                delivered++;
            }
        }
        return delivered;
    }

    /** After a {@link #send} that reached no peer: tells {@code outage} why (the first peer's error). */
    void nothingDelivered(Outage outage) {
        if (results.length == 0) {
            return;
        }
        if (results[0] != 0) {
            outage.failed(results[0], Errno::name);
        } else {
            outage.failed(unreachable[0]);
        }
    }

    @Override
    public void close() {
        vector.close();
    }
}
