package dev.pmtud.sink.raw;

import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.Sys;
import java.net.InetAddress;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * One message to N destinations as one {@code sendmmsg}: an array of {@code struct mmsghdr} whose
 * entries differ only in their destination address and share one {@code iovec} (the payload).
 * Built when the peers change, never per packet.
 *
 * <p>sendmmsg stops at the first message that fails and reports only how many went out; the failed
 * one is then sent again alone to learn its errno, counted for that peer, and the rest continue.
 */
final class PeerBatch {
    static final int MMSGHDR_SIZE = 64; // struct msghdr (56) + msg_len (4) + padding, LP64
    private static final int ADDR_STRIDE = 32;

    private final int size;
    private final Pointer names;
    private final Pointer mmsg;
    private final Pointer[] from;
    private final PeerCounters[] counters;
    private final InetAddress[] peers;

    /** A batch that sends through {@code iov} to these addresses (all of one family). */
    static PeerBatch ip(List<InetAddress> peers, List<PeerCounters> counters, Pointer iov) {
        PeerBatch b = new PeerBatch(peers, counters, iov);
        for (int i = 0; i < b.size; i++) {
            int len = SockAddrs.ip(b.names, (long) i * ADDR_STRIDE, peers.get(i));
            b.mmsg.putInt((long) i * MMSGHDR_SIZE + 8, len);
        }
        return b;
    }

    /** A batch of link-layer destinations: {@code macs[i]} for {@code peers[i]}, on {@code ifIndex}. */
    static PeerBatch link(List<InetAddress> peers, long[] macs, List<PeerCounters> counters, Pointer iov, int ifIndex) {
        PeerBatch b = new PeerBatch(peers, counters, iov);
        for (int i = 0; i < b.size; i++) {
            int len = SockAddrs.link(b.names, (long) i * ADDR_STRIDE, ifIndex, Linux.ETH_P_IP, macs[i]);
            b.mmsg.putInt((long) i * MMSGHDR_SIZE + 8, len);
        }
        return b;
    }

    private PeerBatch(List<InetAddress> peers, List<PeerCounters> counters, Pointer iov) {
        this.size = peers.size();
        this.peers = peers.toArray(new InetAddress[0]);
        this.counters = counters.toArray(new PeerCounters[0]);
        int n = Math.max(1, size);
        this.names = Sys.allocateDirect(n * ADDR_STRIDE);
        this.mmsg = Sys.allocateDirect(n * MMSGHDR_SIZE);
        this.from = new Pointer[n];
        for (int i = 0; i < size; i++) {
            long m = (long) i * MMSGHDR_SIZE;
            mmsg.putAddress(m, names.address() + (long) i * ADDR_STRIDE); // msg_name
            mmsg.putAddress(m + 16, iov.address());                      // msg_iov
            mmsg.putLong(m + 24, 1);                                     // msg_iovlen
            from[i] = mmsg.slice(m);
        }
    }

    int size() {
        return size;
    }

    InetAddress peer(int i) {
        return peers[i];
    }

    /** For link batches: sets the EtherType of every destination (IPv4 or IPv6 payload). */
    void etherType(int etherType) {
        for (int i = 0; i < size; i++) {
            SockAddrs.linkProtocol(names, (long) i * ADDR_STRIDE, etherType);
        }
    }

    /**
     * Sends the iovec's payload to every destination on {@code fd}; counts each success and each
     * failure for its peer. Returns the number of peers that failed.
     */
    int send(int fd) {
        int failed = 0;
        int i = 0;
        int interrupted = 0;
        while (i < size) {
            int r = Sys.LIBC.sendmmsg(fd, from[i], size - i, Linux.MSG_DONTWAIT);
            if (r > 0) {
                for (int k = i; k < i + r; k++) {
                    counters[k].sent.increment();
                }
                i += r;
            } else {
                int errno = r < 0 ? Sys.errno() : Errno.EIO;
                if (errno == Errno.EINTR && interrupted++ < 3) {
                    continue;
                }
                counters[i].error(errno).increment();
                failed++;
                i++;
            }
        }
        return failed;
    }
}
