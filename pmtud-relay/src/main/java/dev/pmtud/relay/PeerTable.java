package dev.pmtud.relay;

import dev.pmtud.sys.SockAddr;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.Collection;

/**
 * The peer addresses a datagram may come from, as 16-byte keys (IPv4 as {@code ::ffff:a.b.c.d}, what
 * a dual-stack socket reports) in an open-addressing table of primitive longs: a lookup per datagram
 * allocates nothing and makes no {@link InetAddress}. Immutable; a new table is built (and
 * published) whenever the peer set changes.
 */
final class PeerTable {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final int mask;
    private final long[] hi;
    private final long[] lo;
    private final boolean[] used;
    private final int size;

    private PeerTable(Collection<InetAddress> peers, int slots) {
        this.mask = slots - 1;
        this.hi = new long[slots];
        this.lo = new long[slots];
        this.used = new boolean[slots];
        int n = 0;
        for (InetAddress a : peers) {
            byte[] k = SockAddr.mapped(a);
            long h = (long) LONG.get(k, 0);
            long l = (long) LONG.get(k, 8);
            int i = home(h, l);
            boolean duplicate = false;
            while (used[i]) {
                if (hi[i] == h && lo[i] == l) {
                    duplicate = true;
                    break;
                }
                i = (i + 1) & mask;
            }
            if (!duplicate) {
                used[i] = true;
                hi[i] = h;
                lo[i] = l;
                n++;
            }
        }
        this.size = n;
    }

    static final PeerTable EMPTY = of(java.util.List.of());

    static PeerTable of(Collection<InetAddress> peers) {
        int slots = Integer.highestOneBit(Math.max(2, peers.size()) * 2 - 1) << 1;
        return new PeerTable(peers, slots);
    }

    int size() {
        return size;
    }

    /** Whether {@code a16[0..16)} (IPv4 mapped) is a peer. */
    boolean contains(byte[] a16) {
        long h = (long) LONG.get(a16, 0);
        long l = (long) LONG.get(a16, 8);
        for (int i = home(h, l); used[i]; i = (i + 1) & mask) {
            if (hi[i] == h && lo[i] == l) {
                return true;
            }
        }
        return false;
    }

    private int home(long h, long l) {
        return (int) (((h ^ l) * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }
}
