package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Outage;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PeerCounters;
import dev.pmtud.api.PeerTargets;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.RelayedMessage;
import dev.pmtud.sys.Descriptor;
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
import java.util.Map;
import java.util.Set;

/**
 * l2-unicast: the original packet, verbatim, in one frame to each peer's MAC on the send interface
 * (a packet socket, every peer in one {@code sendmmsg}), one frame per node even when it is listed
 * by its IPv4 and its IPv6 address. The MACs come from the {@link NeighbourTable}; a peer without
 * one is counted ({@code errno="no-mac"} while the kernel is resolving it, {@code neighbour-failed}
 * once it gave up) and makes the refresh thread ask the kernel to resolve. Its loop guard drops
 * frames from a peer's MAC.
 *
 * <p>The interface is followed by name ({@link FollowedLink}): while it is gone every peer is
 * counted {@code ENODEV}; created again, a new neighbour table on it resolves the MACs before the
 * sending thread rebuilds its frames for the new index (the packet socket itself is bound to no
 * interface, so it stays).
 */
final class UnicastReplicator implements Replicator {
    static final String NO_MAC = "no-mac";

    private final RawSettings settings;
    private final PipelineContext context;
    private final Refresher refresher;
    private final PeerTargets targets;
    private final Outage outage;
    private final System.Logger log;
    private final Filter loopGuard = new PeerMacGuard(this::macs);
    private Descriptor socket;
    private Rtnetlink netlink;
    private OwnAddresses own;
    private FollowedLink link;
    private volatile NeighbourTable table;

    // owned by the sending thread
    private final RelayedMessage relayed = new RelayedMessage();
    private Set<InetAddress> builtPeers;
    private Set<InetAddress> builtOwn;
    private NeighbourTable.Snapshot builtMacs;
    private SendInterface builtInterface;
    private PeerVector frames;
    private PeerCounters[] addressed = new PeerCounters[0];
    private PeerCounters[] noMac = new PeerCounters[0];
    private String[] noMacReasons = new String[0];

    UnicastReplicator(RawSettings settings, PipelineContext context, Refresher refresher, System.Logger log, Outage outage) {
        this.settings = settings;
        this.context = context;
        this.refresher = refresher;
        this.log = log;
        this.outage = outage;
        this.targets = new PeerTargets(context, settings.label(), Errno::name);
    }

    @Override
    public void open() throws IOException {
        SendInterface iface = SendInterface.resolve(settings, true);
        socket = new RawSockets(settings).packet();
        netlink = Rtnetlink.open();
        own = new OwnAddresses(netlink);
        table = NeighbourTable.resolving(netlink, iface);
        // before the first message: resolve now, waiting on this thread (the refresh thread is not started yet)
        table.refresh(context.peers().current(), own.current(), UnicastReplicator::sleep);
        link = new FollowedLink(iface, netlink, outage, log, settings.label());
        rebuild(context.peers().current(), link.current(), table.snapshot()); // every peer's counters exist at zero from the start
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private NeighbourTable.Snapshot macs() {
        NeighbourTable t = table;
        return t == null ? NeighbourTable.Snapshot.EMPTY : t.snapshot();
    }

    @Override
    public void send(Packet packet) {
        Set<InetAddress> peers = context.peers().current();
        SendInterface iface = link.current();
        NeighbourTable.Snapshot macs = table.snapshot();
        if (peers != builtPeers || own.current() != builtOwn || macs != builtMacs || iface != builtInterface) {
            rebuild(peers, iface, macs);
        }
        if (!iface.present()) {
            for (PeerCounters c : addressed) {
                c.error(Errno.ENODEV).increment();
            }
            if (addressed.length > 0) {
                outage.failed(Errno.ENODEV, Errno::name);
            }
            return;
        }
        for (int i = 0; i < noMac.length; i++) {
            noMac[i].error(noMacReasons[i]).increment();
        }
        if (noMac.length > 0) {
            refresher.requestSoon();
        }
        if (frames == null) {
            if (noMac.length > 0) {
                outage.failed(noMacReasons[0]);
            }
            return;
        }
        frames.etherType(packet.ipVersion() == 4 ? Linux.ETH_P_IP : Linux.ETH_P_IPV6);
        RelayedMessage m = relayed.ipPacket(packet);
        if (frames.send(socket.fd(), m.buffer(), m.offset(), m.length()) > 0) {
            outage.delivered();
        } else {
            frames.nothingDelivered(outage);
        }
    }

    /** For a new peer snapshot, own addresses, MACs or interface index. Allocates; not per packet. */
    private void rebuild(Set<InetAddress> peers, SendInterface iface, NeighbourTable.Snapshot macs) {
        builtPeers = peers;
        builtOwn = own.current();
        builtMacs = macs;
        builtInterface = iface;
        List<InetAddress> v4First = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        for (InetAddress p : targets.select(peers, builtOwn)) {
            (p instanceof Inet4Address ? v4First : v6).add(p);
        }
        v4First.addAll(v6);
        List<InetAddress> withMac = new ArrayList<>();
        List<Long> macList = new ArrayList<>();
        List<PeerCounters> missing = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (InetAddress p : v4First) {
            PeerCounters c = targets.counters(p);
            c.error(NO_MAC); // the series exist at zero from the start
            c.error(NeighbourTable.FAILED);
            Long mac = macs.macs().get(p);
            if (mac == null) {
                missing.add(c);
                reasons.add(macs.failed().contains(p) ? NeighbourTable.FAILED : NO_MAC);
            } else if (!macList.contains(mac)) { // one frame per node, even when it is listed by v4 and v6
                withMac.add(p);
                macList.add(mac);
            }
        }
        if (frames != null) {
            frames.close();
        }
        frames = withMac.isEmpty() || !iface.present() ? null
                : PeerVector.link(macList.stream().mapToLong(Long::longValue).toArray(), targets.counters(withMac), iface.index());
        addressed = targets.counters(v4First);
        noMac = missing.toArray(new PeerCounters[0]);
        noMacReasons = reasons.toArray(new String[0]);
        if (!missing.isEmpty()) {
            refresher.requestSoon();
        }
    }

    @Override
    public void refresh(Refresher r) throws IOException {
        link.check(now -> rebind(now, r));
        own.refresh();
        if (link.current().present()) {
            table.refresh(context.peers().current(), own.current(), r::pause);
        }
        outage.tick();
    }

    /** The interface is back with a new index: a neighbour table on it, MACs resolved, published before the index is. */
    private void rebind(SendInterface now, Refresher r) throws NativeException {
        if (!now.present()) {
            return; // counted ENODEV per peer until it is back
        }
        NeighbourTable fresh = NeighbourTable.resolving(netlink, now);
        try {
            fresh.refresh(context.peers().current(), own.current(), r::pause);
        } catch (NativeException | RuntimeException e) {
            fresh.close();
            throw e;
        }
        NeighbourTable old = table;
        table = fresh;
        old.close(); // the sending thread only reads snapshots, never the table's sockets
    }

    @Override
    public Filter loopGuard() {
        return loopGuard;
    }

    @Override
    public SendInterface sendInterface() {
        return link == null ? null : link.current();
    }

    @Override
    public boolean concerns(Link l) {
        return link != null && link.concerns(l);
    }

    /** Resolution on a re-created interface needs its addresses, which come after it. */
    @Override
    public boolean concernsAddressOn(int ifIndex) {
        return link != null && ifIndex == link.current().index();
    }

    /** A peer's entry on the interface: resolved, stale, failed. */
    @Override
    public boolean concerns(Neighbour n) {
        return link != null && n.ifIndex() == link.current().index() && context.peers().current().contains(n.address());
    }

    @Override
    public Map<InetAddress, String> peerMacs() {
        NeighbourTable t = table;
        return t == null ? Map.of() : t.describe();
    }

    @Override
    public void close() {
        if (frames != null) {
            frames.close();
            frames = null;
        }
        if (table != null) {
            table.close();
        }
        if (socket != null) {
            socket.close();
        }
        if (netlink != null) {
            netlink.close();
        }
    }
}
