package dev.pmtud.sink.raw;

import dev.pmtud.api.Packet;
import dev.pmtud.api.PeerTargets;
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
 * What the kernel's neighbour table ({@code RTM_GETNEIGH}) says about the peers: their link-layer
 * addresses on the link a replicator sends on, and which of them the kernel could not resolve
 * ({@code NUD_FAILED}: it asked and nobody answered), so that a dead peer is counted as an error,
 * never as sent.
 *
 * <p>Two uses. {@link #resolving} (l2-unicast): the MACs to send frames to, on one link. For a peer
 * without a usable entry it asks the kernel to resolve, as any first packet would (an empty UDP
 * datagram to the discard port makes it send an ARP request or a neighbour solicitation), and it
 * does the same for a {@code STALE} entry, which frames from a packet socket never refresh: so a
 * peer that died is found out ({@code STALE}, probed, {@code FAILED}) instead of being sent frames
 * for ever. {@link #observing} (l3, ipip): only which on-link peers are {@code FAILED} (the kernel
 * takes the copies and drops them once resolution fails, reporting nothing to the sender).
 *
 * <p>Refreshed on the refresh thread; the sending thread reads the published {@link Snapshot}, a
 * new object whenever the MACs or the failed peers change.
 */
final class NeighbourTable implements AutoCloseable {
    /** The reason a peer whose entry the kernel failed to resolve is counted under ({@code pmtud_peer_send_errors_total}). */
    static final String FAILED = "neighbour-failed";
    private static final int DISCARD_PORT = 9;
    /** After asking for resolution, read again after these waits until every peer has a MAC. */
    private static final long[] RETRY_MILLIS = {20, 80, 200, 700};

    /**
     * What the sending thread reads: each peer's MAC (48-bit number), every MAC once, sorted (what
     * the loop guard searches), and the peers the kernel failed to resolve.
     */
    record Snapshot(Map<InetAddress, Long> macs, long[] sortedMacs, Set<InetAddress> failed) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), new long[0], Set.of());

        static Snapshot of(Map<InetAddress, Long> macs, Set<InetAddress> failed) {
            return new Snapshot(Map.copyOf(macs), macs.values().stream().mapToLong(Long::longValue).distinct().sorted().toArray(),
                    Set.copyOf(failed));
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
    /** The link whose entries count; {@code null}: any link (observing). */
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

    /** l2-unicast: the table of {@code link}, with its resolution sockets opened in the calling thread's namespace. */
    static NeighbourTable resolving(Rtnetlink netlink, SendInterface link) throws NativeException {
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

    /** l3, ipip: every link's entries, never asking for resolution (the copies themselves do). */
    static NeighbourTable observing(Rtnetlink netlink) {
        return new NeighbourTable(netlink, null, null, null);
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
     * Reads the entries of {@code peers} (none of {@code own}); when resolving, asks the kernel to
     * resolve the peers without a usable MAC and to check the stale ones, and reads again after
     * short waits until every peer has one or the waits are over; publishes.
     */
    void refresh(Set<InetAddress> peers, Set<InetAddress> own, Pause pause) throws NativeException {
        Map<InetAddress, Neighbour> entries = read(peers);
        if (link != null) {
            Set<InetAddress> missing = missing(peers, own, entries);
            for (InetAddress p : missing) {
                askToResolve(p);
            }
            for (Neighbour n : entries.values()) {
                if (n.stale()) {
                    askToResolve(n.address()); // through the kernel's neighbour code: STALE -> DELAY -> PROBE
                }
            }
            if (!missing.isEmpty()) {
                for (long wait : RETRY_MILLIS) {
                    if (!pause.pause(wait)) {
                        return;
                    }
                    entries = read(peers);
                    if (missing(peers, own, entries).isEmpty()) {
                        break;
                    }
                }
            }
        }
        Map<InetAddress, Long> macs = new HashMap<>();
        Set<InetAddress> failed = new HashSet<>();
        Snapshot was = snapshot;
        for (InetAddress p : peers) {
            Neighbour n = entries.get(p);
            if (n != null && n.usable()) {
                if (link != null) { // observing needs no MACs: a new one must not make the sending thread rebuild
                    macs.put(p, n.mac());
                }
            } else if (n != null && n.failed() || was.failed().contains(p)) {
                // FAILED, or failed before and not usable since: asked again and unanswered (INCOMPLETE), or
                // the FAILED entry was garbage-collected; only an answer (a usable entry) clears it
                failed.add(p);
            }
        }
        if (!macs.equals(was.macs()) || !failed.equals(was.failed())) {
            snapshot = Snapshot.of(macs, failed);
        }
    }

    /** The entries of {@code peers} (on the link, or on any when observing). */
    private Map<InetAddress, Neighbour> read(Set<InetAddress> peers) throws NativeException {
        Map<InetAddress, Neighbour> mine = new HashMap<>();
        for (Neighbour n : netlink.neighbours(link == null ? 0 : link.index())) {
            if (peers.contains(n.address())) {
                Neighbour other = mine.get(n.address());
                if (other == null || !other.usable() && n.usable()) { // observing: one usable entry on some link is enough
                    mine.put(n.address(), n);
                }
            }
        }
        return mine;
    }

    private static Set<InetAddress> missing(Set<InetAddress> peers, Set<InetAddress> own, Map<InetAddress, Neighbour> entries) {
        Set<InetAddress> out = new HashSet<>();
        for (InetAddress p : peers) {
            Neighbour n = entries.get(p);
            if ((n == null || !n.usable()) && !PeerTargets.isSelf(p, own)) {
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
