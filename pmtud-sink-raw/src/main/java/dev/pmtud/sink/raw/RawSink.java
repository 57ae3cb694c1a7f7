package dev.pmtud.sink.raw;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.Verdict;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.Sys;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jnr.ffi.Pointer;

/**
 * Replicates each forwarded message to the peers over raw sockets, in one of four {@link Mode}s.
 *
 * <p>Hot path: the message is copied once into a preallocated direct buffer that one iovec points
 * at; per family (l3, ipip) or per link (l2-unicast) a {@link PeerBatch} of mmsghdrs addresses every
 * peer, so one message to N peers is one {@code sendmmsg}. Batches are rebuilt only when the peer
 * snapshot, this node's addresses or the neighbour table change.
 *
 * <p>A refresh thread keeps this node's own addresses (never send to itself) and, for l2-unicast,
 * the peers' MACs from the kernel's neighbour table, asking the kernel to resolve missing ones.
 */
final class RawSink implements Sink {
    static final String ARRIVED_AS_BROADCAST = "arrived-as-broadcast";
    static final String FROM_PEER_MAC = "from-peer-mac";
    private static final int DISCARD_PORT = 9;
    private static final int PAYLOAD_MAX = 65536;
    private static final long RESOLVE_INTERVAL_NANOS = 1_000_000_000L;

    private final ComponentConfig config;
    private final PipelineContext context;
    private final String label;
    private final Mode mode;
    private final String configuredInterface;
    private final int ttl;
    private final List<InetAddress> sources;
    private final Duration refresh;
    private final System.Logger log;
    private final Filter loopGuard;

    // sockets (opened in open(), in the caller's network namespace)
    private int fd4 = -1;
    private int fd6 = -1;
    private int packetFd = -1;
    private int udp4 = -1;
    private int udp6 = -1;
    private RouteNetlink netlink;
    private int ifIndex;
    private String ifName;
    private Pointer payload;
    private Pointer iov;
    private Pointer broadcast;   // sockaddr_ll to ff:ff:ff:ff:ff:ff
    private Pointer resolveAddr; // sockaddr for the resolution datagram
    private Thread refresher;
    private volatile boolean closed;

    // published by the refresh thread
    private volatile Set<InetAddress> localAddresses = Set.of();
    private volatile Map<InetAddress, Long> peerMacs = Map.of();
    private volatile long[] peerMacList = new long[0];
    private volatile int tableVersion;
    private volatile long lastResolveRequest;
    private final Object wake = new Object();
    private boolean resolveRequested; // guarded by wake

    // owned by the sending thread
    private final Map<InetAddress, PeerCounters> counters = new HashMap<>();
    private Set<InetAddress> builtFrom;
    private int builtVersion = -1;
    private PeerBatch batch4;
    private PeerBatch batch6;
    private PeerBatch linkBatch;
    private PeerCounters[] noMac = new PeerCounters[0];
    private int linkEtherType = Linux.ETH_P_IP;

    RawSink(ComponentConfig config, PipelineContext context, Mode mode, String configuredInterface, int ttl,
            List<InetAddress> sources, Duration refresh) {
        this.config = config;
        this.context = context;
        this.label = config.string("name", "raw");
        this.mode = mode;
        this.configuredInterface = configuredInterface;
        this.ttl = ttl;
        this.sources = sources;
        this.refresh = refresh;
        this.log = context.logger("sink " + label);
        this.lastResolveRequest = System.nanoTime() - RESOLVE_INTERVAL_NANOS;
        this.loopGuard = mode == Mode.L2_BROADCAST ? new BroadcastGuard() : mode == Mode.L2_UNICAST ? new PeerMacGuard() : null;
    }

    Mode mode() {
        return mode;
    }

    /** The interface sent on (l2 modes, or l3/ipip with {@code interface:}), {@code null} otherwise. */
    String interfaceName() {
        return ifName;
    }

    /** The peers' MACs as the sink last read them from the neighbour table (diagnostics, tests). */
    Map<InetAddress, String> peerMacs() {
        Map<InetAddress, String> out = new LinkedHashMap<>();
        peerMacs.forEach((a, m) -> out.put(a, Packet.formatMac(m)));
        return out;
    }

    @Override
    public Filter loopGuard() {
        return loopGuard;
    }

    /** What this mode cannot reach (l3, l2-broadcast), for {@code validate} and the start log. */
    @Override
    public List<String> notes() {
        return mode.caveat() == null ? List.of() : List.of(mode.caveat());
    }

    // ---------------------------------------------------------------- open

    @Override
    public void open() throws IOException {
        if (mode == Mode.L3) {
            checkLoopSafety(context.peers().current());
        }
        try {
            resolveInterface();
            payload = Sys.allocateDirect(PAYLOAD_MAX);
            iov = Sys.allocateDirect(16);
            iov.putAddress(0, payload.address());
            switch (mode) {
                case L3:
                    fd4 = ipSocket(Linux.AF_INET, Linux.IPPROTO_ICMP);
                    fd6 = ipSocket(Linux.AF_INET6, Linux.IPPROTO_ICMPV6);
                    break;
                case IPIP:
                    fd4 = ipSocket(Linux.AF_INET, Linux.IPPROTO_IPIP);
                    fd6 = ipSocket(Linux.AF_INET6, Linux.IPPROTO_IPV6);
                    break;
                default:
                    // protocol 0: a send-only packet socket, the kernel queues nothing to it
                    packetFd = rawSocket(Linux.AF_PACKET, Linux.SOCK_DGRAM, 0, "AF_PACKET");
                    broadcast = Sys.allocateDirect(SockAddrs.MAX_SIZE);
                    SockAddrs.link(broadcast, 0, ifIndex, Linux.ETH_P_IP, 0xffff_ffff_ffffL);
                    break;
            }
            netlink = new RouteNetlink();
            localAddresses = netlink.localAddresses();
            if (mode == Mode.L2_UNICAST) {
                udp4 = datagramSocket(Linux.AF_INET);
                udp6 = datagramSocket(Linux.AF_INET6);
                resolveAddr = Sys.allocateDirect(SockAddrs.MAX_SIZE);
                refreshNeighbours(context.peers().current());
            }
            rebuild(context.peers().current()); // every peer's counters exist at zero from the start, not from its first message
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        refresher = new Thread(this::refreshLoop, "pmtud-raw-refresh-" + label);
        refresher.setDaemon(true);
        refresher.start();
        log.log(System.Logger.Level.INFO, "raw sink {0}: mode {1}{2}, ttl {3}", label, mode.text,
                ifName == null ? "" : " on " + ifName, ttl);
    }

    private void resolveInterface() throws IOException {
        String name = configuredInterface;
        if (name == null && mode.linkLayer()) {
            name = DefaultRoute.interfaceName();
            if (name == null) {
                throw new IOException(config.what() + ": this node has no default route to take the interface from; "
                        + "set interface: to the interface that reaches the peers");
            }
        }
        if (name == null) {
            return;
        }
        int index = Sys.LIBC.if_nametoindex(name);
        if (index == 0) {
            throw new IOException(config.what() + ": interface '" + name + "' does not exist here ("
                    + "`ip link` lists the interfaces); set interface: to one of them");
        }
        ifName = name;
        ifIndex = index;
    }

    private int ipSocket(int family, int protocol) throws IOException {
        String what = (family == Linux.AF_INET ? "AF_INET" : "AF_INET6") + ", SOCK_RAW, " + protocol;
        int fd = Sys.LIBC.socket(family, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            int errno = Sys.errno();
            if (family == Linux.AF_INET6 && errno == Errno.EAFNOSUPPORT) {
                // no IPv6 in this kernel/namespace: IPv6 peers are counted as failing with this errno
                log.log(System.Logger.Level.WARNING, "raw sink {0}: IPv6 is not available, IPv6 peers get nothing", label);
                return -errno;
            }
            throw socketError(what, errno);
        }
        try {
            if (family == Linux.AF_INET) {
                Sys.setIntOption(fd, Linux.IPPROTO_IP, Linux.IP_TTL, ttl, "IP_TTL");
            } else {
                Sys.setIntOption(fd, Linux.IPPROTO_IPV6, Linux.IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS");
            }
            dropEverythingReceived(fd);
            if (ifName != null) {
                Sys.bindToDevice(fd, ifName);
            }
            for (InetAddress s : sources) {
                if ((s instanceof Inet4Address) == (family == Linux.AF_INET)) {
                    Pointer sa = Sys.allocateDirect(SockAddrs.MAX_SIZE);
                    int len = SockAddrs.ip(sa, 0, s);
                    if (Sys.LIBC.bind(fd, sa, len) < 0) {
                        int errno = Sys.errno();
                        throw new IOException(config.what() + ": cannot send from source " + PeerCounters.label(s) + ": "
                                + Errno.name(errno) + " (" + Sys.LIBC.strerror(errno) + "); set source: to an address of this node");
                    }
                }
            }
            return fd;
        } catch (IOException e) {
            Sys.LIBC.close(fd);
            throw e;
        }
    }

    private int rawSocket(int family, int type, int protocol, String what) throws IOException {
        int fd = Sys.LIBC.socket(family, type | Linux.SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw socketError(what, Sys.errno());
        }
        return fd;
    }

    private int datagramSocket(int family) throws IOException {
        int fd = Sys.LIBC.socket(family, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC | Linux.SOCK_NONBLOCK, 0);
        if (fd < 0) {
            return -1; // resolution of that family is then left to the kernel's own traffic
        }
        dropEverythingReceived(fd);
        Sys.bindToDevice(fd, ifName);
        return fd;
    }

    private IOException socketError(String what, int errno) {
        if (errno == Errno.EPERM || errno == Errno.EACCES) {
            return new NativeException(config.what() + ": cannot open a raw socket (" + what + "): "
                    + Errno.name(errno) + "; pmtud needs CAP_NET_RAW (run as root or grant the capability)", errno, true);
        }
        return new NativeException(config.what() + ": socket(" + what + ")", errno);
    }

    /** A send-only socket: a classic BPF program that accepts nothing keeps the receive queue empty. */
    private static void dropEverythingReceived(int fd) throws NativeException {
        Pointer insn = Sys.allocateDirect(8); // { code = BPF_RET|BPF_K, jt, jf, k = 0 }
        insn.putShort(0, (short) 0x06);
        Pointer prog = Sys.allocateDirect(16); // struct sock_fprog { len; filter* }
        prog.putShort(0, (short) 1);
        prog.putAddress(8, insn.address());
        Sys.check(Sys.LIBC.setsockopt(fd, Linux.SOL_SOCKET, 26 /* SO_ATTACH_FILTER */, prog, 16), "setsockopt(SO_ATTACH_FILTER)");
    }

    /** l3 re-sends from this node's address: a peer's copy must not be replicated again. */
    void checkLoopSafety(Set<InetAddress> peers) {
        List<Cidr> excluded = context.excludedNetworks();
        Set<String> uncovered = uncovered(excluded, peers, new TreeSet<>());
        if (excluded.isEmpty() || !uncovered.isEmpty()) {
            String which = excluded.isEmpty() ? "no source network is excluded at all"
                    : "peers " + String.join(", ", uncovered) + " are not inside any excluded network (" + excluded + ")";
            throw config.error("mode", "is l3, which re-sends from this node's own address, but " + which
                    + ", so copies from peers would be replicated again (a loop); add the peers' network to "
                    + "cluster.networks (or to an exclude-networks filter or to rules.exclude-sources)");
        }
    }

    /** Adds to {@code into} the label of every one of {@code peers} outside all {@code excluded} networks. */
    private static <C extends Collection<String>> C uncovered(List<Cidr> excluded, Collection<InetAddress> peers, C into) {
        for (InetAddress p : peers) {
            if (!covered(excluded, p)) {
                into.add(PeerCounters.label(p));
            }
        }
        return into;
    }

    private static boolean covered(List<Cidr> excluded, InetAddress a) {
        for (Cidr c : excluded) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- send (hot path)

    @Override
    public void send(Packet packet) throws IOException {
        Set<InetAddress> peers = context.peers().current();
        if (peers != builtFrom || tableVersion != builtVersion) {
            rebuild(peers);
        }
        int version = packet.ipVersion();
        switch (mode) {
            case L3:
                sendIp(version, packet.buffer(), packet.icmpOffset(), packet.icmpLength());
                break;
            case IPIP:
                sendIp(version, packet.buffer(), packet.l3Offset(), packet.l3Length());
                break;
            case L2_BROADCAST:
                sendBroadcast(version, packet.buffer(), packet.l3Offset(), packet.l3Length());
                break;
            case L2_UNICAST:
                sendUnicast(version, packet.buffer(), packet.l3Offset(), packet.l3Length());
                break;
            default:
                throw new IllegalStateException();
        }
    }

    private void load(byte[] b, int off, int len) throws IOException {
        if (len > PAYLOAD_MAX) {
            throw new IOException("message of " + len + " bytes is larger than " + PAYLOAD_MAX);
        }
        payload.put(0, b, off, len);
        iov.putLong(8, len);
    }

    private void sendIp(int version, byte[] b, int off, int len) throws IOException {
        PeerBatch batch = version == 4 ? batch4 : batch6;
        if (batch == null || batch.size() == 0) {
            return;
        }
        int fd = version == 4 ? fd4 : fd6;
        load(b, off, len);
        if (fd < 0) {
            for (int i = 0; i < batch.size(); i++) {
                counters.get(batch.peer(i)).error(-fd).increment();
            }
            return;
        }
        batch.send(fd);
    }

    private void sendBroadcast(int version, byte[] b, int off, int len) throws IOException {
        load(b, off, len);
        SockAddrs.linkProtocol(broadcast, 0, version == 4 ? Linux.ETH_P_IP : Linux.ETH_P_IPV6);
        long r = Sys.LIBC.sendto(packetFd, payload, len, Linux.MSG_DONTWAIT, broadcast, Linux.SOCKADDR_LL_SIZE);
        if (r < 0) {
            throw new NativeException("broadcast on " + ifName, Sys.errno());
        }
    }

    private void sendUnicast(int version, byte[] b, int off, int len) throws IOException {
        for (PeerCounters c : noMac) {
            c.noMac().increment();
        }
        if (noMac.length > 0) {
            requestResolution();
        }
        if (linkBatch == null || linkBatch.size() == 0) {
            return;
        }
        load(b, off, len);
        int etherType = version == 4 ? Linux.ETH_P_IP : Linux.ETH_P_IPV6;
        if (etherType != linkEtherType) {
            linkBatch.etherType(etherType);
            linkEtherType = etherType;
        }
        linkBatch.send(packetFd);
    }

    /** Rebuilds the batches for a new peer snapshot or table version. Allocates; not per packet. */
    private void rebuild(Set<InetAddress> peers) {
        builtFrom = peers;
        builtVersion = tableVersion;
        Set<InetAddress> local = localAddresses;
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        for (InetAddress p : peers) {
            if (local.contains(p) || p.isLoopbackAddress() || p.isAnyLocalAddress()) {
                continue; // never to itself, even if a provider let one of our addresses through
            }
            counters.computeIfAbsent(p, a -> new PeerCounters(context.metrics(), context.nodeName(), label, PeerCounters.label(a)));
            (p instanceof Inet4Address ? v4 : v6).add(p);
        }
        if (mode == Mode.L3 || mode == Mode.IPIP) {
            batch4 = PeerBatch.ip(v4, countersOf(v4), iov);
            batch6 = PeerBatch.ip(v6, countersOf(v6), iov);
            if (mode == Mode.L3) {
                warnUncovered(v4, v6);
            }
        } else if (mode == Mode.L2_UNICAST) {
            Map<InetAddress, Long> macs = peerMacs;
            List<InetAddress> withMac = new ArrayList<>();
            List<Long> macList = new ArrayList<>();
            List<PeerCounters> missing = new ArrayList<>();
            List<InetAddress> all = new ArrayList<>(v4);
            all.addAll(v6);
            for (InetAddress p : all) {
                PeerCounters c = counters.get(p);
                c.noMac(); // the series exists at zero from the start
                Long mac = macs.get(p);
                if (mac == null) {
                    missing.add(c);
                } else if (!macList.contains(mac)) { // one frame per node, even when it is listed by v4 and v6
                    withMac.add(p);
                    macList.add(mac);
                }
            }
            long[] m = new long[macList.size()];
            for (int i = 0; i < m.length; i++) {
                m[i] = macList.get(i);
            }
            linkBatch = PeerBatch.link(withMac, m, countersOf(withMac), iov, ifIndex);
            linkEtherType = Linux.ETH_P_IP;
            noMac = missing.toArray(new PeerCounters[0]);
            if (!missing.isEmpty()) {
                requestResolution();
            }
        }
    }

    private List<PeerCounters> countersOf(List<InetAddress> peers) {
        List<PeerCounters> out = new ArrayList<>(peers.size());
        for (InetAddress p : peers) {
            out.add(counters.get(p));
        }
        return out;
    }

    private void warnUncovered(List<InetAddress> v4, List<InetAddress> v6) {
        List<Cidr> excluded = context.excludedNetworks();
        List<String> uncovered = uncovered(excluded, v6, uncovered(excluded, v4, new ArrayList<>()));
        if (!uncovered.isEmpty()) {
            log.log(System.Logger.Level.WARNING, "raw sink {0} (l3): peers {1} are outside every excluded network; "
                    + "their copies may be replicated again (add them to cluster.networks, an exclude-networks filter or rules.exclude-sources)",
                    label, uncovered);
        }
    }

    // ---------------------------------------------------------------- refresh thread

    private void requestResolution() {
        long now = System.nanoTime();
        if (now - lastResolveRequest < RESOLVE_INTERVAL_NANOS) {
            return;
        }
        lastResolveRequest = now;
        synchronized (wake) {
            resolveRequested = true;
            wake.notifyAll();
        }
    }

    private void refreshLoop() {
        long interval = refresh.toMillis();
        while (!closed) {
            synchronized (wake) {
                if (!resolveRequested) {
                    try {
                        wake.wait(Math.max(1, interval));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                resolveRequested = false;
            }
            if (closed) {
                return;
            }
            try {
                Set<InetAddress> local = netlink.localAddresses();
                if (!local.equals(localAddresses)) {
                    localAddresses = local;
                    tableVersion++;
                }
                if (mode == Mode.L2_UNICAST) {
                    refreshNeighbours(context.peers().current());
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    log.log(System.Logger.Level.WARNING, "raw sink {0}: refresh failed: {1}", label, e.getMessage());
                }
            }
        }
    }

    /**
     * Reads the peers' MACs from the neighbour table; for the missing ones asks the kernel to
     * resolve (an empty UDP datagram to the discard port makes it send an ARP request / neighbour
     * solicitation, exactly as any first packet would), then reads again after short waits.
     */
    private void refreshNeighbours(Set<InetAddress> peers) throws IOException {
        Map<InetAddress, Long> macs = readPeerMacs(peers);
        Set<InetAddress> missing = missing(peers, macs);
        if (!missing.isEmpty()) {
            for (InetAddress p : missing) {
                triggerResolution(p);
            }
            for (long waitMs : new long[] {20, 80, 200, 700}) {
                if (closed) {
                    return;
                }
                sleepQuietly(waitMs);
                macs = readPeerMacs(peers);
                if (missing(peers, macs).isEmpty()) {
                    break;
                }
            }
        }
        publish(macs);
    }

    private Map<InetAddress, Long> readPeerMacs(Set<InetAddress> peers) throws NativeException {
        Map<InetAddress, Long> all = RouteNetlink.macs(netlink.neighbours(ifIndex));
        Map<InetAddress, Long> mine = new HashMap<>();
        for (InetAddress p : peers) {
            Long m = all.get(p);
            if (m != null) {
                mine.put(p, m);
            }
        }
        return mine;
    }

    private Set<InetAddress> missing(Set<InetAddress> peers, Map<InetAddress, Long> macs) {
        Set<InetAddress> out = new HashSet<>();
        Set<InetAddress> local = localAddresses;
        for (InetAddress p : peers) {
            if (!macs.containsKey(p) && !local.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private void publish(Map<InetAddress, Long> macs) {
        if (!macs.equals(peerMacs)) {
            long[] list = macs.values().stream().mapToLong(Long::longValue).distinct().sorted().toArray();
            peerMacs = Map.copyOf(macs);
            peerMacList = list;
            tableVersion++;
            log.log(System.Logger.Level.DEBUG, "raw sink {0}: peer MACs {1}", label, peerMacs());
        }
    }

    private void triggerResolution(InetAddress peer) {
        int fd = peer instanceof Inet4Address ? udp4 : udp6;
        if (fd < 0) {
            return;
        }
        int len = SockAddrs.ip(resolveAddr, 0, peer);
        resolveAddr.putShort(2, SockAddrs.be16(DISCARD_PORT));
        Sys.LIBC.sendto(fd, resolveAddr, 0, Linux.MSG_DONTWAIT, resolveAddr, len); // errors: nothing to learn
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (refresher != null) {
            refresher.interrupt();
            try {
                refresher.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int fd : new int[] {fd4, fd6, packetFd, udp4, udp6}) {
            if (fd >= 0) {
                Sys.LIBC.close(fd);
            }
        }
        fd4 = fd6 = packetFd = udp4 = udp6 = -1;
        if (netlink != null) {
            netlink.close();
            netlink = null;
        }
    }

    // ---------------------------------------------------------------- loop guards

    /** l2-broadcast: a frame that arrived as a broadcast is (or may be) a peer's copy. */
    private static final class BroadcastGuard implements Filter {
        private static final Verdict DROP = Verdict.drop(ARRIVED_AS_BROADCAST);

        @Override
        public Verdict apply(Packet p) {
            return p.arrivedAsBroadcast() ? DROP : Verdict.PASS;
        }

        @Override
        public Collection<String> dropReasons() {
            return List.of(ARRIVED_AS_BROADCAST);
        }
    }

    /** l2-unicast: a frame from a peer's MAC is a peer's copy. */
    private final class PeerMacGuard implements Filter {
        private final Verdict drop = Verdict.drop(FROM_PEER_MAC);

        @Override
        public Verdict apply(Packet p) {
            p.decode(); // reads the frame's source MAC when the source gave none; idempotent
            return p.hasSourceMac() && Arrays.binarySearch(peerMacList, p.sourceMac()) >= 0 ? drop : Verdict.PASS;
        }

        @Override
        public Collection<String> dropReasons() {
            return List.of(FROM_PEER_MAC);
        }
    }
}
