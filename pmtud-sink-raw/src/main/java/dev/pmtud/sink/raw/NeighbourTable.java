package dev.pmtud.sink.raw;

import dev.pmtud.api.PeerTargets;
import dev.pmtud.api.Packet;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.NativeMemory;
import dev.pmtud.sys.SockAddr;
import dev.pmtud.sys.Sys;
import dev.pmtud.sys.netlink.Neighbour;
import dev.pmtud.sys.netlink.Rtnetlink;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The peers' link-layer addresses on the link a replicator sends on, from the kernel's neighbour
 * table ({@code RTM_GETNEIGH}). For a peer without a usable entry it asks the kernel to resolve, as
 * any first packet would: an empty UDP datagram to the discard port makes it send an ARP request or
 * a neighbour solicitation. Refreshed on the refresh thread; the sending thread reads the published
 * {@link Snapshot}, a new object whenever the MACs change.
 */
final class NeighbourTable implements AutoCloseable {
    private static final int DISCARD_PORT = 9;
    /** After asking for resolution, read again after these waits until every peer has a MAC. */
    private static final long[] RETRY_MILLIS = {20, 80, 200, 700};

    /**
     * What the sending thread reads: each peer's MAC (48-bit number), and every MAC once, sorted
     * (what the loop guard searches).
     */
    record Snapshot(Map<InetAddress, Long> macs, long[] sortedMacs) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), new long[0]);

        static Snapshot of(Map<InetAddress, Long> macs) {
            return new Snapshot(Map.copyOf(macs), macs.values().stream().mapToLong(Long::longValue).distinct().sorted().toArray());
        }

        boolean hasMac(long mac) {
            return Arrays.binarySearch(sortedMacs, mac) >= 0;
        }
    }

    /** A wait within a refresh; false when the sink is closing. */
    interface Pause {
        boolean pause(long millis) throws NativeException;
    }

    private final Rtnetlink netlink;
    private final SendInterface link;
    private final Descriptor resolver4;
    private final Descriptor resolver6;
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    private NeighbourTable(Rtnetlink netlink, SendInterface link, Descriptor resolver4, Descriptor resolver6) {
        this.netlink = netlink;
        this.link = link;
        this.resolver4 = resolver4;
        this.resolver6 = resolver6;
    }

    /** The table of {@code link}, with its resolution sockets opened in the calling thread's namespace. */
    static NeighbourTable open(Rtnetlink netlink, SendInterface link) throws NativeException {
        Descriptor v4 = RawSockets.resolver(Linux.AF_INET, link);
        try {
            return new NeighbourTable(netlink, link, v4, RawSockets.resolver(Linux.AF_INET6, link));
        } catch (NativeException | RuntimeException e) {
            if (v4 != null) {
                v4.close();
            }
            throw e;
        }
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** The peers' MACs as last read, written {@code 02:00:00:00:00:01} (diagnostics, tests). */
    Map<InetAddress, String> describe() {
        Map<InetAddress, String> out = new LinkedHashMap<>();
        snapshot.macs().forEach((a, m) -> out.put(a, Packet.formatMac(m)));
        return out;
    }

    /**
     * Reads the MACs of {@code peers} (none of {@code own}); asks the kernel to resolve the missing
     * ones and reads again after short waits, until all are there or the waits are over; publishes.
     */
    void refresh(Set<InetAddress> peers, Set<InetAddress> own, Pause pause) throws NativeException {
        Map<InetAddress, Long> macs = read(peers);
        Set<InetAddress> missing = missing(peers, own, macs);
        if (!missing.isEmpty()) {
            for (InetAddress p : missing) {
                askToResolve(p);
            }
            for (long wait : RETRY_MILLIS) {
                if (!pause.pause(wait)) {
                    return;
                }
                macs = read(peers);
                if (missing(peers, own, macs).isEmpty()) {
                    break;
                }
            }
        }
        if (!macs.equals(snapshot.macs())) {
            snapshot = Snapshot.of(macs);
        }
    }

    private Map<InetAddress, Long> read(Set<InetAddress> peers) throws NativeException {
        Map<InetAddress, Long> mine = new HashMap<>();
        for (Neighbour n : netlink.neighbours(link.index())) {
            if (n.usable() && peers.contains(n.address())) {
                mine.put(n.address(), n.mac());
            }
        }
        return mine;
    }

    private static Set<InetAddress> missing(Set<InetAddress> peers, Set<InetAddress> own, Map<InetAddress, Long> macs) {
        Set<InetAddress> out = new HashSet<>();
        for (InetAddress p : peers) {
            if (!macs.containsKey(p) && !PeerTargets.isSelf(p, own)) {
                out.add(p);
            }
        }
        return out;
    }

    private void askToResolve(InetAddress peer) {
        Descriptor fd = peer instanceof Inet4Address ? resolver4 : resolver6;
        if (fd == null) {
            return;
        }
        try (NativeMemory sa = NativeMemory.allocate(SockAddr.MAX_SIZE)) {
            int len = SockAddr.write(sa.pointer(), 0, peer, DISCARD_PORT);
            Sys.LIBC.sendto(fd.fd(), sa.pointer(), 0, Linux.MSG_DONTWAIT, sa.pointer(), len); // errors: nothing to learn
        }
    }

    @Override
    public void close() {
        for (Descriptor d : new Descriptor[] {resolver4, resolver6}) {
            if (d != null) {
                d.close();
            }
        }
    }
}
