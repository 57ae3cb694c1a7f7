package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PeerCounters;
import dev.pmtud.api.PeerTargets;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.RelayedMessage;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
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
 * one is counted ({@code errno="no-mac"}) and makes the refresh thread ask the kernel to resolve.
 * Its loop guard drops frames from a peer's MAC.
 */
final class UnicastReplicator implements Replicator {
    static final String NO_MAC = "no-mac";

    private final RawSettings settings;
    private final PipelineContext context;
    private final Refresher refresher;
    private final PeerTargets targets;
    private final Filter loopGuard = new PeerMacGuard(this::macs);
    private SendInterface iface;
    private Descriptor socket;
    private Rtnetlink netlink;
    private OwnAddresses own;
    private volatile NeighbourTable table;

    // owned by the sending thread
    private final RelayedMessage relayed = new RelayedMessage();
    private Set<InetAddress> builtPeers;
    private Set<InetAddress> builtOwn;
    private NeighbourTable.Snapshot builtMacs;
    private PeerVector frames;
    private PeerCounters[] noMac = new PeerCounters[0];

    UnicastReplicator(RawSettings settings, PipelineContext context, Refresher refresher) {
        this.settings = settings;
        this.context = context;
        this.refresher = refresher;
        this.targets = new PeerTargets(context, settings.label(), Errno::name);
    }

    @Override
    public void open() throws IOException {
        iface = SendInterface.resolve(settings, true);
        socket = new RawSockets(settings).packet();
        netlink = Rtnetlink.open();
        own = new OwnAddresses(netlink);
        table = NeighbourTable.open(netlink, iface);
        // before the first message: resolve now, waiting on this thread (the refresh thread is not started yet)
        table.refresh(context.peers().current(), own.current(), millis -> {
            try {
                Thread.sleep(millis);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        rebuild(context.peers().current()); // every peer's counters exist at zero from the start, not from its first message
    }

    private NeighbourTable.Snapshot macs() {
        NeighbourTable t = table;
        return t == null ? NeighbourTable.Snapshot.EMPTY : t.snapshot();
    }

    @Override
    public void send(Packet packet) {
        Set<InetAddress> peers = context.peers().current();
        if (peers != builtPeers || own.current() != builtOwn || table.snapshot() != builtMacs) {
            rebuild(peers);
        }
        for (PeerCounters c : noMac) {
            c.error(NO_MAC).increment();
        }
        if (noMac.length > 0) {
            refresher.requestSoon();
        }
        if (frames == null) {
            return;
        }
        frames.etherType(packet.ipVersion() == 4 ? Linux.ETH_P_IP : Linux.ETH_P_IPV6);
        RelayedMessage m = relayed.ipPacket(packet);
        frames.send(socket.fd(), m.buffer(), m.offset(), m.length());
    }

    /** For a new peer snapshot, new own addresses or new MACs. Allocates; not per packet. */
    private void rebuild(Set<InetAddress> peers) {
        builtPeers = peers;
        builtOwn = own.current();
        builtMacs = table.snapshot();
        List<InetAddress> v4First = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        for (InetAddress p : targets.select(peers, builtOwn)) {
            (p instanceof Inet4Address ? v4First : v6).add(p);
        }
        v4First.addAll(v6);
        List<InetAddress> withMac = new ArrayList<>();
        List<Long> macs = new ArrayList<>();
        List<PeerCounters> missing = new ArrayList<>();
        for (InetAddress p : v4First) {
            PeerCounters c = targets.counters(p);
            c.error(NO_MAC); // the series exists at zero from the start
            Long mac = builtMacs.macs().get(p);
            if (mac == null) {
                missing.add(c);
            } else if (!macs.contains(mac)) { // one frame per node, even when it is listed by v4 and v6
                withMac.add(p);
                macs.add(mac);
            }
        }
        if (frames != null) {
            frames.close();
        }
        frames = withMac.isEmpty() ? null
                : PeerVector.link(macs.stream().mapToLong(Long::longValue).toArray(), targets.counters(withMac), iface.index());
        noMac = missing.toArray(new PeerCounters[0]);
        if (!missing.isEmpty()) {
            refresher.requestSoon();
        }
    }

    @Override
    public void refresh(Refresher r) throws IOException {
        own.refresh();
        table.refresh(context.peers().current(), own.current(), r::pause);
    }

    @Override
    public Filter loopGuard() {
        return loopGuard;
    }

    @Override
    public SendInterface sendInterface() {
        return iface;
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
