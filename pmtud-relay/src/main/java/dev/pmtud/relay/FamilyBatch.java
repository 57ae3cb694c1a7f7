package dev.pmtud.relay;

import dev.pmtud.api.PeerCounters;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.MsgVector;
import java.net.InetAddress;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * The peers of one address family as one {@code sendmmsg}: a {@link MsgVector} whose messages share
 * one payload (the datagram) and differ in destination only, with each peer's counters, which
 * {@link #send} counts every result into ({@link MsgVector#sendAll}). Built when the peers change,
 * never per packet; {@link #close()} frees it.
 */
final class FamilyBatch implements AutoCloseable {
    private final MsgVector vector;
    private final PeerCounters[] counters;
    private final int[] results;

    FamilyBatch(List<InetAddress> peers, PeerCounters[] counters, int port, int payloadCapacity) {
        this.counters = counters;
        this.results = new int[peers.size()];
        this.vector = MsgVector.sharedPayload(peers.size(), payloadCapacity);
        for (int i = 0; i < peers.size(); i++) {
            vector.destination(i, peers.get(i), port);
        }
    }

    int size() {
        return results.length;
    }

    PeerCounters counters(int i) {
        return counters[i];
    }

    /** Where the datagram goes before {@link #send}. */
    Pointer payload() {
        return vector.data();
    }

    /**
     * Sends the first {@code length} payload bytes to every peer on {@code fd}; counts each result.
     *
     * @return how many peers it reached (0: none, {@link #firstError()} says why)
     */
    int send(int fd, int length) {
        vector.payloadLength(length);
        vector.sendAll(fd, results.length, Linux.MSG_DONTWAIT, results);
        PeerCounters.count(counters, results, results.length);
        int reached = 0;
        for (int r : results) {
            if (r == 0) {
                reached++;
            }
        }
        return reached;
    }

    /** The errno the first peer failed with in the last {@link #send} (0: it was reached). */
    int firstError() {
        return results.length == 0 ? 0 : results[0];
    }

    @Override
    public void close() {
        vector.close();
    }
}
