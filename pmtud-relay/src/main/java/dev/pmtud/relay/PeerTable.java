package dev.pmtud.relay;

import dev.pmtud.sys.SockAddr;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.function.Function;

/**
 * The peer addresses a datagram may come from, as 16-byte keys (IPv4 as {@code ::ffff:a.b.c.d}, what
 * a dual-stack socket reports) in an open-addressing table of primitive longs: a lookup per datagram
 * allocates nothing and makes no {@link InetAddress}. Each peer carries a value (the udp source: its
 * counter), found with the same lookup. Immutable; a new table is built (and published) whenever
 * the peer set changes.
 */
final class PeerTable {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final int mask;
    private final long[] hi;
    private final long[] lo;
    private final boolean[] used;
    private final Object[] values;
    private final int size;

    private PeerTable(Collection<InetAddress> peers, Function<InetAddress, ?> value, int slots) {
        this.mask = slots - 1;
        this.hi = new long[slots];
        this.lo = new long[slots];
        this.used = new boolean[slots];
        this.values = new Object[slots];
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
                values[i] = value.apply(a);
                n++;
            }
        }
        this.size = n;
    }

    static final PeerTable EMPTY = of(java.util.List.of());

    static PeerTable of(Collection<InetAddress> peers) {
        return of(peers, a -> null);
    }

    /** A table whose peers carry {@code value.apply(peer)}, called once per peer while building. */
    static PeerTable of(Collection<InetAddress> peers, Function<InetAddress, ?> value) {
        int slots = Integer.highestOneBit(Math.max(2, peers.size()) * 2 - 1) << 1;
        return new PeerTable(peers, value, slots);
    }

    int size() {
        return size;
    }

    /** Whether {@code a16[0..16)} (IPv4 mapped) is a peer. */
    boolean contains(byte[] a16) {
        return slot(a16) >= 0;
    }

    /** The slot of peer {@code a16[0..16)} (IPv4 mapped), or -1 when it is no peer; {@link #value(int)} reads its value. */
    int slot(byte[] a16) {
        long h = (long) LONG.get(a16, 0);
        long l = (long) LONG.get(a16, 8);
        for (int i = home(h, l); used[i]; i = (i + 1) & mask) {
            if (hi[i] == h && lo[i] == l) {
                return i;
            }
        }
        return -1;
    }

    /** The value of the peer in {@code slot} (from {@link #slot}). */
    Object value(int slot) {
        return values[slot];
    }

    private int home(long h, long l) {
        return (int) (((h ^ l) * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }
}
