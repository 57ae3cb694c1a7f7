package dev.pmtud.relay;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Source;
import dev.pmtud.api.Values;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.MsgVector;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.NativeMemory;
import dev.pmtud.sys.PollSet;
import dev.pmtud.sys.SockAddr;
import dev.pmtud.sys.SocketMemInfo;
import dev.pmtud.sys.Sys;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jnr.ffi.Pointer;

/**
 * Receives relay datagrams from the peers and hands the IP packet inside to the runtime as
 * {@link LinkType#RAW}, so the decoder applies the same rules as to any source.
 *
 * <p>One UDP socket ({@code [::]:4390} by default: dual-stack, IPv4 peers arrive as
 * {@code ::ffff:a.b.c.d}), no SO_REUSEADDR/SO_REUSEPORT: a second daemon on the port fails to start.
 * Hot path: poll, one {@code recvmmsg} of up to {@value #SLOTS} datagrams with their source
 * addresses, a peer lookup in a primitive table (rebuilt when the peer set changes), one copy into
 * a reused array, the {@link Verifier}, one reused {@link Packet}. Nothing is allocated per datagram.
 */
final class UdpSource implements Source {
    /** Per peer: what this source accepted from it and handed on (go-pmtud's injected_packets_total{source} reads it). */
    static final String RECEIVED = "pmtud_peer_received_total";
    static final int SLOTS = 16;
    /** The largest datagram read whole; a larger one is refused as truncated (relayed messages are under 1.4 KB). */
    static final int SLOT_SIZE = 4096;
    /** Unexpired datagrams remembered at most; at 5 s max-age, room for over 3000 accepted datagrams a second. */
    static final int SEEN_CAPACITY = 16384;
    private static final int RECEIVE_BUFFER = 1 << 20;
    /** How long a poll waits when nothing arrives; sk_drops is read at least this often. */
    private static final int IDLE_MILLIS = 1000;
    static final int DROPS_EVERY_MILLIS = 100;
    private static final long DROPS_EVERY_NANOS = DROPS_EVERY_MILLIS * 1_000_000L;

    private final String label;
    private final InetSocketAddress listen;
    private final Path keyFile;
    private final long maxAgeNanos;
    private final int seenCapacity;
    private final PipelineContext context;
    private final System.Logger log;
    private final Discards discards;
    /** {@code pmtud_peer_received_total} of every peer seen in the peer set so far: created once, kept across changes. */
    private final Map<InetAddress, Metrics.Counter> received = new ConcurrentHashMap<>();

    private Descriptor socket;
    private PollSet poll;
    private MsgVector rx;
    private SocketMemInfo memInfo;
    private Verifier verifier;
    private volatile PeerTable peers = PeerTable.EMPTY;
    private final byte[] buffer = new byte[SLOT_SIZE];
    private final byte[] from = new byte[16];
    private final Packet packet = new Packet();
    private long dropsAtOpen;
    /** When the receiving thread last read sk_drops (System.nanoTime). */
    private long dropsReadAt;
    /** sk_drops since open, as the receiving thread last read it: what {@link #lost()} reports. */
    private volatile long lost;

    UdpSource(String label, InetSocketAddress listen, Path keyFile, long maxAgeNanos, int seenCapacity, PipelineContext context) {
        this.label = label;
        this.listen = listen;
        this.keyFile = keyFile;
        this.maxAgeNanos = maxAgeNanos;
        this.seenCapacity = seenCapacity;
        this.context = context;
        this.log = context.logger();
        this.discards = new Discards(context.metrics(), context.nodeName(), label);
    }

    Discards discards() {
        return discards;
    }

    /** Binds and allocates; what it acquired before a failure is released by {@link #close()}. */
    @Override
    public void open() throws IOException {
        RelayKeys keys = keyFile == null ? null : RelayKeys.load(keyFile);
        socket = bind();
        poll = new PollSet(socket.fd());
        rx = MsgVector.withSlots(SLOTS, SLOT_SIZE);
        memInfo = new SocketMemInfo(socket.fd());
        verifier = new Verifier(keys, maxAgeNanos, new SeenSet(seenCapacity));
        peers = peerTable(context.peers().current());
        context.peers().addListener(set -> peers = peerTable(set));
        dropsAtOpen = Math.max(0, memInfo.drops());
        log.log(System.Logger.Level.INFO, "udp source {0}: listening on {1}, {2}, {3} peers", label, text(listen),
                keys == null ? "bare packets (go-pmtud format, no key-file)" : "signed datagrams, key ids " + keys.ids()
                        + ", max-age " + maxAgeNanos / 1_000_000 + "ms", peers.size());
    }

    /** The peer set as a table whose values are the peers' {@code pmtud_peer_received_total} (at zero for a new peer). */
    private PeerTable peerTable(Collection<InetAddress> set) {
        return PeerTable.of(set, a -> received.computeIfAbsent(a, p -> context.metrics().counter(RECEIVED,
                "Messages a source accepted from one peer and handed on", "node", context.nodeName(), "source", label,
                "peer", Values.formatAddress(p))));
    }

    /** Messages accepted from {@code peer} so far (tests; the metric is the product's interface). */
    long receivedFrom(InetAddress peer) {
        Metrics.Counter c = received.get(peer);
        return c == null ? 0 : c.count();
    }

    private Descriptor bind() throws IOException {
        boolean v4 = listen.getAddress() instanceof Inet4Address;
        Descriptor s = Descriptor.socket(v4 ? Linux.AF_INET : Linux.AF_INET6, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK, 0,
                v4 ? "AF_INET, SOCK_DGRAM" : "AF_INET6, SOCK_DGRAM");
        try {
            if (!v4) {
                Sys.setIntOption(s.fd(), Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, 0, "IPV6_V6ONLY");
            }
            setReceiveBuffer(s.fd());
            try (NativeMemory sa = NativeMemory.allocate(SockAddr.MAX_SIZE)) {
                int len = SockAddr.write(sa.pointer(), 0, listen.getAddress(), listen.getPort());
                if (Sys.LIBC.bind(s.fd(), sa.pointer(), len) < 0) {
                    throw bindError(Sys.errno());
                }
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private IOException bindError(int errno) {
        String where = "udp source " + label + ": cannot listen on " + text(listen);
        if (errno == Errno.EADDRINUSE) {
            return new NativeException(where + ": the port is in use (EADDRINUSE); another pmtud is probably running "
                    + "(or another program holds UDP port " + listen.getPort() + ": `ss -ulpn` shows which)", errno, true);
        }
        if (errno == Errno.EADDRNOTAVAIL) {
            return new NativeException(where + ": EADDRNOTAVAIL, not an address of this node; set listen: to one, "
                    + "or to \"[::]:" + listen.getPort() + "\" for every address", errno, true);
        }
        if (errno == Errno.EACCES) {
            return new NativeException(where + ": EACCES, ports below 1024 need CAP_NET_BIND_SERVICE", errno, true);
        }
        return new NativeException(where + ": " + Errno.name(errno) + " (" + Sys.LIBC.strerror(errno) + ")", errno, true);
    }

    /** Room for bursts: SO_RCVBUFFORCE past rmem_max when permitted, else what SO_RCVBUF allows. */
    private static void setReceiveBuffer(int fd) throws NativeException {
        try (NativeMemory v = NativeMemory.allocate(4)) {
            v.pointer().putInt(0, RECEIVE_BUFFER);
            if (Sys.LIBC.setsockopt(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUFFORCE, v.pointer(), 4) == 0) {
                return;
            }
        }
        Sys.setIntOption(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUF, RECEIVE_BUFFER, "SO_RCVBUF");
    }

    static String text(InetSocketAddress a) {
        String host = dev.pmtud.api.Values.formatAddress(a.getAddress());
        return (a.getAddress() instanceof Inet4Address ? host : "[" + host + "]") + ":" + a.getPort();
    }

    /** Reads until {@link #wakeup()}; throws only when the socket fails for good. */
    @Override
    public void run(PacketHandler handler) throws IOException {
        if (socket == null) {
            throw new IllegalStateException("open() the source first");
        }
        int fd = socket.fd();
        while (true) {
            int ready = poll.await(IDLE_MILLIS);
            if (ready == PollSet.WOKEN) {
                return;
            }
            if (ready == 0 || !poll.readable(0)) {
                readDrops(System.nanoTime(), 0);
                continue;
            }
            int n = rx.receive(fd, SLOTS, Linux.MSG_DONTWAIT);
            if (n < 0) {
                int errno = -n;
                if (errno == Errno.EAGAIN || errno == Errno.EINTR || errno == Errno.ECONNREFUSED) {
                    continue;
                }
                throw new NativeException(label + ": recvmmsg(" + text(listen) + ")", errno);
            }
            long now = WireFormat.wallClockNanos();
            for (int i = 0; i < n; i++) {
                handle(i, now, handler);
            }
            readDrops(System.nanoTime(), DROPS_EVERY_NANOS);
        }
    }

    /**
     * Reads sk_drops into {@link #lost} when {@code atLeastNanos} passed since the last reading: the
     * scrape thread never touches the socket, which close() may be closing, and a busy socket
     * costs one getsockopt per {@link #DROPS_EVERY_NANOS}.
     */
    private void readDrops(long now, long atLeastNanos) {
        if (now - dropsReadAt < atLeastNanos) {
            return;
        }
        dropsReadAt = now;
        long drops = memInfo.drops();
        if (drops >= 0) {
            lost = Math.max(0, drops - dropsAtOpen);
        }
    }

    @Override
    public void wakeup() {
        if (poll != null) {
            poll.wakeup();
        }
    }

    /** Datagram {@code i} of the last batch: refused with a counted reason, or handed on. */
    private void handle(int i, long now, PacketHandler handler) {
        Pointer names = rx.names();
        PeerTable table = peers;
        int peer = SockAddr.copyAddress(names, rx.nameOffset(i), from) ? table.slot(from) : -1;
        if (peer < 0) {
            discards.count(Discards.NOT_A_PEER);
            return;
        }
        if (rx.truncated(i)) {
            discards.count(Discards.TRUNCATED);
            return;
        }
        int len = rx.length(i);
        rx.copy(i, buffer, 0, len);
        int verdict = verifier.check(buffer, 0, len, now);
        if (verdict != Verifier.ACCEPTED) {
            discards.count(verdict);
            return;
        }
        packet.wrap(buffer, verifier.packetOffset(), verifier.packetLength(), LinkType.RAW, now);
        ((Metrics.Counter) table.value(peer)).increment();
        handler.handle(packet);
    }

    /**
     * Datagrams the kernel dropped because the socket's receive buffer was full (sk_drops since
     * open), as the receiving thread read it last: at most {@value #DROPS_EVERY_MILLIS} ms old
     * while datagrams arrive, {@value #IDLE_MILLIS} ms when the socket is quiet, exact after close.
     */
    @Override
    public long lost() {
        return lost;
    }

    /** Releases what open() acquired, as far as it got; on the receiving thread, after run(). */
    @Override
    public void close() {
        if (memInfo != null) {
            readDrops(System.nanoTime(), 0); // the final count
            memInfo.close();
        }
        if (socket != null) {
            socket.close();
        }
        if (poll != null) {
            poll.close();
        }
        if (rx != null) {
            rx.close();
        }
    }

    @Override
    public String toString() {
        return "udp(" + text(listen) + ")";
    }
}
