package dev.pmtud.relay;

import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.MsgVector;
import java.net.InetAddress;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * The peers of one address family as one {@code sendmmsg}: a {@link MsgVector} whose messages share
 * one payload (the datagram) and differ in destination only, with each peer's counters. Built when
 * the peers change, never per packet; {@link #close()} frees it.
 *
 * <p>sendmmsg stops at the first message that fails and reports only how many went out; the failed
 * one is then counted with the errno of a call that starts at it, and the rest continue.
 */
final class FamilyBatch implements AutoCloseable {
    private final MsgVector vector;
    private final InetAddress[] peers;
    private final PeerCounters[] counters;

    FamilyBatch(List<InetAddress> peers, List<PeerCounters> counters, int port, int payloadCapacity) {
        this.peers = peers.toArray(new InetAddress[0]);
        this.counters = counters.toArray(new PeerCounters[0]);
        this.vector = MsgVector.sharedPayload(this.peers.length, payloadCapacity);
        for (int i = 0; i < this.peers.length; i++) {
            vector.destination(i, this.peers[i], port);
        }
    }

    int size() {
        return peers.length;
    }

    PeerCounters counters(int i) {
        return counters[i];
    }

    /** Where the datagram goes before {@link #send}. */
    Pointer payload() {
        return vector.data();
    }

    /** Sends the first {@code length} payload bytes to every peer on {@code fd}; counts each result. */
    void send(int fd, int length) {
        vector.payloadLength(length);
        int i = 0;
        int interrupted = 0;
        while (i < peers.length) {
            int r = vector.send(fd, i, peers.length - i, Linux.MSG_DONTWAIT);
            if (r > 0) {
                for (int k = i; k < i + r; k++) {
                    counters[k].sent.increment();
                }
                i += r;
            } else {
                int errno = r < 0 ? -r : Errno.EIO;
                if (errno == Errno.EINTR && interrupted++ < 3) {
                    continue;
                }
                counters[i].error(errno).increment();
                i++;
            }
        }
    }

    @Override
    public void close() {
        vector.close();
    }
}
