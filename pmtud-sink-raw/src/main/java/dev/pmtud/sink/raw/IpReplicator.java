package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Outage;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PeerTargets;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.RelayedMessage;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.Link;
import dev.pmtud.sys.netlink.Neighbour;
import dev.pmtud.sys.netlink.Rtnetlink;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * l3 and ipip: to each peer by IP over raw sockets, one per address family, every peer of a
 * family in one {@code sendmmsg}. l3 sends the ICMP message and lets the kernel write a fresh IP
 * header from this node (its loop guard is {@link LoopSafety}: the peers' network must be excluded
 * from capture); ipip sends the original packet as the payload of IPv4-in-IPv4 / IPv6-in-IPv6 and
 * needs no guard (copies arrive on the peer's tunnel interface, outside the capture rule).
 *
 * <p>With {@code interface:} the sockets are bound to it, and the interface is followed by name
 * ({@link FollowedLink}): created again, the same sockets are bound to its new index. The kernel
 * takes a copy for an on-link peer that does not answer ARP / neighbour solicitation and drops it
 * later, telling nobody; such a peer ({@code FAILED} in the {@link NeighbourTable}) is counted as
 * {@code neighbour-failed}, not as sent.
 */
final class IpReplicator implements Replicator {
    private final RawSettings settings;
    private final PipelineContext context;
    private final boolean l3;
    private final LoopSafety loopSafety;
    private final PeerTargets targets;
    private final System.Logger log;
    private final Outage outage;
    private final IpFamily v4;
    private final IpFamily v6;
    private FollowedLink link;
    private Rtnetlink netlink;
    private OwnAddresses own;
    private NeighbourTable neighbours;

    // owned by the sending thread
    private final RelayedMessage relayed = new RelayedMessage();
    private Set<InetAddress> builtPeers;
    private Set<InetAddress> builtOwn;
    private NeighbourTable.Snapshot builtNeighbours;

    IpReplicator(RawSettings settings, PipelineContext context, System.Logger log, Outage outage) {
        this.settings = settings;
        this.context = context;
        this.log = log;
        this.outage = outage;
        this.l3 = settings.mode() == Mode.L3;
        this.loopSafety = l3 ? new LoopSafety(settings, context, log) : null;
        this.targets = new PeerTargets(context, settings.label(), Errno::name);
        this.v4 = new IpFamily(Linux.AF_INET, l3 ? Linux.IPPROTO_ICMP : Linux.IPPROTO_IPIP);
        this.v6 = new IpFamily(Linux.AF_INET6, l3 ? Linux.IPPROTO_ICMPV6 : Linux.IPPROTO_IPV6);
    }

    @Override
    public void open() throws IOException {
        if (l3) {
            loopSafety.check(context.peers().current());
        }
        SendInterface iface = SendInterface.resolve(settings, false);
        RawSockets sockets = new RawSockets(settings);
        v4.open(sockets, iface);
        if (!v6.open(sockets, iface)) {
            log.log(System.Logger.Level.WARNING, "raw sink {0}: IPv6 is not available, IPv6 peers get nothing", settings.label());
        }
        netlink = Rtnetlink.open();
        own = new OwnAddresses(netlink);
        neighbours = NeighbourTable.observing(netlink);
        neighbours.refresh(context.peers().current(), own.current(), millis -> true);
        link = iface == null ? null : new FollowedLink(iface, netlink, outage, log, settings.label());
        rebuild(context.peers().current()); // every peer's counters exist at zero from the start, not from its first message
    }

    @Override
    public void send(Packet packet) {
        Set<InetAddress> peers = context.peers().current();
        if (peers != builtPeers || own.current() != builtOwn || neighbours.snapshot() != builtNeighbours) {
            rebuild(peers);
        }
        IpFamily family = packet.ipVersion() == 4 ? v4 : v6;
        // l3: the ICMP message behind the kernel's header; ipip: the packet inside the outer one
        RelayedMessage m = l3 ? relayed.icmpMessage(packet) : relayed.ipPacket(packet);
        family.send(m.buffer(), m.offset(), m.length(), outage);
    }

    /** For a new peer snapshot, new own addresses or new neighbour states. Allocates; not per packet. */
    private void rebuild(Set<InetAddress> peers) {
        builtPeers = peers;
        builtOwn = own.current();
        builtNeighbours = neighbours.snapshot();
        List<InetAddress> list4 = new ArrayList<>();
        List<InetAddress> list6 = new ArrayList<>();
        for (InetAddress p : targets.select(peers, builtOwn)) {
            targets.counters(p).error(NeighbourTable.FAILED); // the series exists at zero from the start
            (p instanceof Inet4Address ? list4 : list6).add(p);
        }
        v4.sendTo(list4, targets.counters(list4), builtNeighbours.failed());
        v6.sendTo(list6, targets.counters(list6), builtNeighbours.failed());
        if (l3) {
            loopSafety.warnUncovered(list4, list6);
        }
    }

    @Override
    public void refresh(Refresher refresher) throws IOException {
        if (link != null) {
            link.check(this::rebind);
        }
        own.refresh();
        neighbours.refresh(context.peers().current(), own.current(), refresher::pause);
        outage.tick();
    }

    /**
     * The interface is back with a new index: the same sockets, bound to it again. Gone: nothing to
     * do; the sockets stay bound to the old index and every copy fails with ENODEV, counted per peer.
     */
    private void rebind(SendInterface now) throws NativeException {
        if (now.present()) {
            v4.rebind(now);
            v6.rebind(now);
        }
    }

    @Override
    public Filter loopGuard() {
        return null; // l3: the exclusion is the guard (LoopSafety); ipip: copies arrive outside the capture
    }

    @Override
    public SendInterface sendInterface() {
        return link == null ? null : link.current();
    }

    @Override
    public boolean concerns(Link l) {
        return link != null && link.concerns(l);
    }

    /** A peer's entry: FAILED is the kernel's only word that it drops what it took for that peer. */
    @Override
    public boolean concerns(Neighbour n) {
        return context.peers().current().contains(n.address());
    }

    @Override
    public void close() {
        v4.close();
        v6.close();
        if (netlink != null) {
            netlink.close();
        }
    }
}
