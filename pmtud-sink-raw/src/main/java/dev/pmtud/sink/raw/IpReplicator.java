package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PeerTargets;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.RelayedMessage;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
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
 */
final class IpReplicator implements Replicator {
    private final RawSettings settings;
    private final PipelineContext context;
    private final boolean l3;
    private final LoopSafety loopSafety;
    private final PeerTargets targets;
    private final System.Logger log;
    private final IpFamily v4;
    private final IpFamily v6;
    private SendInterface iface;
    private Rtnetlink netlink;
    private OwnAddresses own;

    // owned by the sending thread
    private final RelayedMessage relayed = new RelayedMessage();
    private Set<InetAddress> builtPeers;
    private Set<InetAddress> builtOwn;

    IpReplicator(RawSettings settings, PipelineContext context, System.Logger log) {
        this.settings = settings;
        this.context = context;
        this.log = log;
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
        iface = SendInterface.resolve(settings, false);
        RawSockets sockets = new RawSockets(settings);
        v4.open(sockets, iface);
        if (!v6.open(sockets, iface)) {
            log.log(System.Logger.Level.WARNING, "raw sink {0}: IPv6 is not available, IPv6 peers get nothing", settings.label());
        }
        netlink = Rtnetlink.open();
        own = new OwnAddresses(netlink);
        rebuild(context.peers().current()); // every peer's counters exist at zero from the start, not from its first message
    }

    @Override
    public void send(Packet packet) {
        Set<InetAddress> peers = context.peers().current();
        if (peers != builtPeers || own.current() != builtOwn) {
            rebuild(peers);
        }
        IpFamily family = packet.ipVersion() == 4 ? v4 : v6;
        // l3: the ICMP message behind the kernel's header; ipip: the packet inside the outer one
        RelayedMessage m = l3 ? relayed.icmpMessage(packet) : relayed.ipPacket(packet);
        family.send(m.buffer(), m.offset(), m.length());
    }

    /** For a new peer snapshot or new own addresses. Allocates; not per packet. */
    private void rebuild(Set<InetAddress> peers) {
        builtPeers = peers;
        builtOwn = own.current();
        List<InetAddress> list4 = new ArrayList<>();
        List<InetAddress> list6 = new ArrayList<>();
        for (InetAddress p : targets.select(peers, builtOwn)) {
            (p instanceof Inet4Address ? list4 : list6).add(p);
        }
        v4.sendTo(list4, targets.counters(list4));
        v6.sendTo(list6, targets.counters(list6));
        if (l3) {
            loopSafety.warnUncovered(list4, list6);
        }
    }

    @Override
    public void refresh(Refresher refresher) throws IOException {
        own.refresh();
    }

    @Override
    public Filter loopGuard() {
        return null; // l3: the exclusion is the guard (LoopSafety); ipip: copies arrive outside the capture
    }

    @Override
    public SendInterface sendInterface() {
        return iface;
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
