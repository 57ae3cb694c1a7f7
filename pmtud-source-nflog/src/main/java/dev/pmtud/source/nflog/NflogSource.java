package dev.pmtud.source.nflog;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.NflogGroup;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Source;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.Sys;
import dev.pmtud.sys.netlink.NetlinkReader;
import dev.pmtud.sys.netlink.NetlinkSocket;
import dev.pmtud.sys.netlink.NetlinkWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Pointer;

/**
 * Reads an NFLOG group over NETLINK_NETFILTER, speaking nfnetlink_log directly.
 *
 * <p>Open binds the group in one acknowledged config message: BIND, copy the whole packet
 * (range 0xffff), kernel batch buffer, queue threshold ({@code batch}) and flush timeout, and
 * per-group sequence numbers (NFULNL_CFG_F_SEQ).
 *
 * <p>Loss accounting ({@link #lost()}). When the socket buffer overruns, netlink_overrun() drops
 * the whole kernel batch (one skb), adds one to the socket's sk_drops, reports ENOBUFS once and
 * marks the socket congested: every later batch is dropped too until this thread has emptied the
 * queue. The dropped batches had already taken their NFULA_SEQ numbers, so a gap in the next
 * delivered message's sequence counts them exactly; but losses <em>after</em> the last delivered
 * message (the end of a burst, or a congestion episode that lasts to the end of a flood) show no
 * gap until some later message arrives, possibly never. So the source also reads sk_drops
 * (SO_MEMINFO) on every ENOBUFS and whenever the socket goes idle after one:
 * <ul>
 *   <li>{@code batch: 1}: every batch is one message, so sk_drops is the number of lost messages;
 *       {@code lost = max(sequence gaps, sk_drops)}, exact within ~10 ms of the socket going idle.
 *   <li>{@code batch > 1}: {@code lost = sequence gaps + batches dropped since the last gap}: each
 *       trailing dropped batch counts as one message (a lower bound, at most {@code batch}× too
 *       small) until a later message's sequence number replaces it with the exact figure.
 * </ul>
 * What no interface reveals: a message for which the kernel could not allocate a batch buffer
 * (GFP_ATOMIC failure in nfulnl_log_packet; it takes no sequence number and counts nowhere). A rule
 * with {@code --nflog-threshold N} overrides {@code batch} in the kernel; with N > 1 and
 * {@code batch: 1} the trailing count is then the lower bound described for {@code batch > 1}.
 *
 * <p>Hot path: poll, one {@code recvmmsg} of up to {@value #SLOTS} kernel batches into one direct
 * buffer, one copy into a reused byte[], attributes found by offset, one reused {@link Packet}.
 *
 * <p>NFLOG instances belong to a network namespace: open the source in the namespace whose rule
 * logs to the group (the daemon's own; tests use {@code Netns.call}).
 */
public final class NflogSource implements Source {
    static final int SLOTS = 8;
    private static final int SLOT_SIZE = 131072;
    private static final long TWO_POW_31 = 1L << 31;

    private final NflogSettings settings;
    private final String label;
    private final System.Logger log;

    private NetlinkSocket socket;
    private int wakeFd = -1;
    private Pointer pollFds;
    private Pointer wakeValue;
    private InterfaceNames interfaces;
    private long clockOffsetNanos;

    private final Packet packet = new Packet();
    private final NflogMessage message = new NflogMessage();
    private final NetlinkReader reader = new NetlinkReader();
    private byte[] rxBuf;
    private final int[] lengths = new int[SLOTS];
    private final boolean[] truncatedSlots = new boolean[SLOTS];

    private volatile boolean closed;
    private volatile boolean running;
    private final CountDownLatch runEnded = new CountDownLatch(1);
    private final Object lifecycle = new Object();
    private boolean released;

    // statistics: written by the run thread only, read anywhere
    private volatile long lost;
    private volatile long received;
    private volatile long receiveCalls;
    private volatile long enobufs;
    private volatile long truncated;
    private volatile long otherFamily;
    private volatile long malformed;
    private boolean haveSeq;
    private int expectedSeq;
    /** Messages counted by sequence gaps (exact; run thread writes). */
    private volatile long gapLost;
    /** Dropped kernel batches after the last gap, each counted as one message (batch > 1 only). */
    private volatile long trailingLost;
    private long dropsAtOpen;
    private long dropsAtLastGap;
    private volatile long socketDrops;
    private boolean overrunPending;
    private Pointer memInfo;
    /** SO_MEMINFO (asm-generic/socket.h; same on x86, arm64): u32[SK_MEMINFO_VARS]. */
    static final int SO_MEMINFO = 55;
    private static final int SK_MEMINFO_DROPS = 8;
    private static final int SK_MEMINFO_BYTES = 9 * 4;
    /** How long the socket must stay quiet after an overrun before sk_drops is read as final. */
    private static final int IDLE_AFTER_OVERRUN_MILLIS = 10;

    public NflogSource(NflogSettings settings, String label, System.Logger log) {
        this.settings = settings;
        this.label = label;
        this.log = log;
    }

    public NflogSettings settings() {
        return settings;
    }

    @Override
    public void open() throws IOException {
        NetlinkSocket s = NetlinkSocket.open(Linux.NETLINK_NETFILTER, 64 * 1024);
        try {
            s.setReceiveBufferSize(settings.bufferBytes(), true);
            for (int family : families()) {
                // Makes nfnetlink_log the family's logger for LOG-type fallbacks; NFLOG rules reach
                // the group either way. Never PF_UNBIND: that would unhook other users of the netns.
                try {
                    configure(s, family, 0, NFULNL_CFG_CMD_PF_BIND, false);
                } catch (NativeException e) {
                    if (e.errno() == Errno.EPERM) {
                        // PF_BIND touches no group: EPERM here can only be the missing capability
                        throw explain(e, false);
                    }
                    log.log(System.Logger.Level.DEBUG, label + ": PF_BIND " + family + " refused: " + e.getMessage());
                }
            }
            try {
                configure(s, Linux.AF_UNSPEC, settings.group(), NFULNL_CFG_CMD_BIND, true);
            } catch (NativeException e) {
                throw explain(e, true);
            }
            wakeFd = Sys.check(Sys.LIBC.eventfd(0, Linux.EFD_CLOEXEC | Linux.EFD_NONBLOCK), "eventfd");
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        socket = s;
        pollFds = Sys.allocateDirect(16);
        pollFds.putInt(0, s.fd());
        pollFds.putShort(4, (short) Linux.POLLIN);
        pollFds.putInt(8, wakeFd);
        pollFds.putShort(12, (short) Linux.POLLIN);
        wakeValue = Sys.allocateDirect(8);
        wakeValue.putLong(0, 1L);
        interfaces = new InterfaceNames(s.fd());
        rxBuf = new byte[SLOT_SIZE * SLOTS];
        clockOffsetNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        haveSeq = true; // a fresh instance numbers its first message 0
        expectedSeq = 0;
        memInfo = Sys.allocateDirect(SK_MEMINFO_BYTES);
        dropsAtOpen = Math.max(0, readSocketDrops());
        dropsAtLastGap = dropsAtOpen;
        log.log(System.Logger.Level.INFO, label + ": NFLOG group " + settings.group() + " bound (buffer "
                + s.receiveBufferSize() + " bytes, batch " + settings.batch() + ", flush " + settings.flushCentiseconds() * 10 + " ms)");
    }

    private int[] families() {
        if (settings.ipv4() && settings.ipv6()) {
            return new int[] {Linux.AF_INET, Linux.AF_INET6};
        }
        return settings.ipv4() ? new int[] {Linux.AF_INET} : new int[] {Linux.AF_INET6};
    }

    private void configure(NetlinkSocket s, int family, int group, int command, boolean full) throws NativeException {
        NetlinkWriter w = new NetlinkWriter();
        w.begin(nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG), NLM_F_REQUEST | NLM_F_ACK, s.nextSeq())
                .nfgenmsg(family, NFNETLINK_V0, group)
                .attrU8(NFULA_CFG_CMD, command);
        if (full) {
            // struct nfulnl_msg_config_mode { be32 copy_range; u8 copy_mode; u8 pad; }
            byte[] mode = new byte[6];
            dev.pmtud.sys.netlink.Bytes.putBeInt(mode, 0, NFULNL_COPY_RANGE_MAX);
            mode[4] = NFULNL_COPY_PACKET;
            w.attr(NFULA_CFG_MODE, mode);
            if (settings.kernelBatchBytes() > 0) {
                // Without it the kernel keeps its default, one page per batch skb (NLMSG_GOODSIZE).
                w.attrBe32(NFULA_CFG_NLBUFSIZ, settings.kernelBatchBytes());
            }
            w
                    .attrBe32(NFULA_CFG_QTHRESH, settings.batch())
                    .attrBe32(NFULA_CFG_TIMEOUT, settings.flushCentiseconds())
                    .attrBe16(NFULA_CFG_FLAGS, NFULNL_CFG_F_SEQ);
        }
        w.end();
        s.request(w, "NFLOG group " + group + " " + commandName(command));
    }

    private static String commandName(int command) {
        switch (command) {
            case NFULNL_CFG_CMD_BIND: return "bind";
            case NFULNL_CFG_CMD_UNBIND: return "unbind";
            case NFULNL_CFG_CMD_PF_BIND: return "pf-bind";
            case NFULNL_CFG_CMD_PF_UNBIND: return "pf-unbind";
            default: return "command " + command;
        }
    }

    /**
     * The kernel answers EPERM both when the caller lacks CAP_NET_ADMIN and when another socket
     * owns the group (nfulnl_recv_config checks the owner's port id before the command), and
     * EBUSY when a BIND meets an existing instance. Holding CAP_NET_ADMIN tells the two EPERMs apart.
     */
    private IOException explain(NativeException e, boolean groupCommand) {
        int errno = e.errno();
        if (errno == Errno.EBUSY || errno == Errno.EPERM && groupCommand && hasNetAdmin()) {
            return new NativeException("NFLOG group " + settings.group() + " is already bound by another process", errno, true);
        }
        if (errno == Errno.EPERM) {
            return new NativeException("NFLOG needs CAP_NET_ADMIN (run as root or grant the capability)", errno, true);
        }
        return new NativeException("NFLOG group " + settings.group() + ": " + e.getMessage(), errno, true);
    }

    /** Whether this process has CAP_NET_ADMIN in its effective set (/proc/self/status CapEff). */
    static boolean hasNetAdmin() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << Linux.CAP_NET_ADMIN)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Sys.isRoot();
        }
        return Sys.isRoot();
    }

    @Override
    public void run(PacketHandler handler) throws IOException {
        if (socket == null) {
            throw new IllegalStateException("open() the source first");
        }
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            running = true;
        }
        try {
            while (!closed) {
                int ready = Sys.LIBC.poll(pollFds, 2, overrunPending ? IDLE_AFTER_OVERRUN_MILLIS : 1000);
                if (ready < 0) {
                    int errno = Sys.errno();
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    throw new NativeException(label + ": poll", errno);
                }
                if (closed) {
                    break;
                }
                if (ready == 0) {
                    // Idle: every drop so far happened before now, and no later message will
                    // reveal drops after the last one; sk_drops does.
                    reconcileDrops();
                    overrunPending = false;
                    continue;
                }
                if ((pollFds.getShort(6) & (Linux.POLLIN | Linux.POLLERR)) == 0) {
                    continue;
                }
                int n = socket.tryReceiveBatch(rxBuf, SLOT_SIZE, SLOTS, lengths, truncatedSlots, Linux.MSG_DONTWAIT);
                if (n < 0) {
                    int errno = -n;
                    if (errno == Errno.ENOBUFS) {
                        // The socket buffer overflowed: the kernel drops every batch until the queue
                        // is empty. Gaps in NFULA_SEQ count the drops a later message reveals;
                        // sk_drops, read now and again once the socket is idle, the rest.
                        enobufs++;
                        overrunPending = true;
                        reconcileDrops();
                        continue;
                    }
                    if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                        continue;
                    }
                    if (closed) {
                        break;
                    }
                    throw new NativeException(label + ": recvmmsg(NFLOG group " + settings.group() + ")", errno);
                }
                receiveCalls++;
                long now = clockOffsetNanos + System.nanoTime();
                for (int i = 0; i < n; i++) {
                    if (truncatedSlots[i]) {
                        truncated++;
                    }
                    handleDatagram(rxBuf, i * SLOT_SIZE, lengths[i], now, handler);
                }
            }
        } finally {
            running = false;
            runEnded.countDown();
            if (closed) {
                release();
            }
        }
    }

    /** Hands every packet message of one kernel batch to {@code handler}; counts sequence gaps. */
    void handleDatagram(byte[] rxBuf, int off, int len, long now, PacketHandler handler) {
        reader.reset(rxBuf, off, len);
        while (reader.next()) {
            if (reader.type() != nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET)) {
                continue; // late ACKs, NLMSG_DONE...
            }
            NflogMessage m = message.parse(rxBuf, reader.payloadOffset(), reader.payloadLength());
            if (m.hasSeq()) {
                int seq = m.seq();
                if (haveSeq) {
                    long gap = (seq - expectedSeq) & 0xffffffffL;
                    if (gap > 0 && gap < TWO_POW_31) {
                        gapLost += gap;
                        if (settings.batch() > 1) {
                            // the gap covers every batch dropped before this message, exactly
                            long drops = readSocketDrops();
                            if (drops >= 0) {
                                dropsAtLastGap = drops;
                            }
                            trailingLost = 0;
                        }
                        updateLost();
                    }
                }
                haveSeq = true;
                expectedSeq = seq + 1;
            }
            if (m.malformed() || m.payloadOffset() < 0) {
                malformed++;
                continue;
            }
            int family = m.family();
            if (family == Linux.AF_INET && !settings.ipv4() || family == Linux.AF_INET6 && !settings.ipv6()) {
                otherFamily++;
                continue;
            }
            received++;
            packet.wrap(rxBuf, m.payloadOffset(), m.payloadLength(), LinkType.RAW, m.timestampNanos(now));
            int indev = m.inputInterface();
            if (indev > 0) {
                packet.ingress(indev, interfaces == null ? null : interfaces.name(indev, now));
            }
            int hwHeader = m.hwHeaderOffset();
            int hwHeaderLength = m.hwHeaderLength();
            if (m.hwAddressLength() == 6) {
                packet.sourceMac(rxBuf, m.hwAddressOffset());
            } else if (hwHeader >= 0 && hwHeaderLength >= 14 && m.hwType() == 1) {
                packet.sourceMac(rxBuf, hwHeader + 6);
            }
            if (hwHeader >= 0) {
                packet.hardwareHeader(rxBuf, hwHeader, hwHeaderLength);
                if (hwHeaderLength >= 6 && (m.hwType() == 1 || m.hwType() == -1)) {
                    packet.packetType(ethernetPacketType(rxBuf, hwHeader));
                }
            }
            packet.mark(m.mark());
            if (m.prefixOffset() >= 0) {
                packet.prefix(rxBuf, m.prefixOffset(), m.prefixLength());
            }
            handler.handle(packet);
        }
        if (reader.malformed()) {
            malformed++;
        }
    }

    /** Reads sk_drops and recomputes {@link #lost()} (run thread only). */
    private void reconcileDrops() {
        long drops = readSocketDrops();
        if (drops < 0) {
            return;
        }
        socketDrops = drops - dropsAtOpen;
        if (settings.batch() > 1) {
            trailingLost = Math.max(0, drops - dropsAtLastGap);
        }
        updateLost();
    }

    private void updateLost() {
        if (settings.batch() == 1) {
            // one message per batch: sk_drops counts messages; gaps count the same ones again
            lost = Math.max(gapLost, socketDrops);
        } else {
            lost = gapLost + trailingLost;
        }
    }

    /** The socket's sk_drops (SO_MEMINFO), or -1 when the kernel does not offer it. */
    private long readSocketDrops() {
        NetlinkSocket s = socket;
        int fd = s != null ? s.fd() : -1;
        if (fd < 0 || memInfo == null) {
            return -1;
        }
        // rare (overruns, gaps, idle): a fresh length cell per call is fine
        jnr.ffi.byref.IntByReference length = new jnr.ffi.byref.IntByReference(SK_MEMINFO_BYTES);
        if (Sys.LIBC.getsockopt(fd, Linux.SOL_SOCKET, SO_MEMINFO, memInfo, length) != 0
                || length.getValue() < SK_MEMINFO_BYTES) {
            return -1;
        }
        return memInfo.getInt(SK_MEMINFO_DROPS * 4) & 0xffffffffL;
    }

    /** The PACKET_* class of an Ethernet destination: broadcast, multicast or (unicast) host. */
    static int ethernetPacketType(byte[] b, int dst) {
        if ((b[dst] & b[dst + 1] & b[dst + 2] & b[dst + 3] & b[dst + 4] & b[dst + 5]) == (byte) 0xff) {
            return Packet.PACKET_BROADCAST;
        }
        return (b[dst] & 1) != 0 ? Packet.PACKET_MULTICAST : Packet.PACKET_HOST;
    }

    @Override
    public long lost() {
        return lost;
    }

    /** Messages handed to the handler. */
    public long received() {
        return received;
    }

    /** recvmmsg calls that returned data (for packets per syscall). */
    public long receiveCalls() {
        return receiveCalls;
    }

    /** How often the kernel reported a receive buffer overrun (ENOBUFS: congestion episodes). */
    public long overruns() {
        return enobufs;
    }

    /** Kernel batches the socket dropped (sk_drops since open), as of the last overrun or idle moment. */
    public long droppedBatches() {
        return socketDrops;
    }

    public long truncatedBatches() {
        return truncated;
    }

    public long malformedMessages() {
        return malformed;
    }

    public long otherFamilyMessages() {
        return otherFamily;
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (wakeFd >= 0) {
            Sys.LIBC.write(wakeFd, wakeValue, 8);
        }
        if (running) {
            try {
                if (runEnded.await(2, TimeUnit.SECONDS)) {
                    return; // run() released everything on its way out
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        release();
    }

    private void release() {
        synchronized (lifecycle) {
            if (released) {
                return;
            }
            released = true;
        }
        NetlinkSocket s = socket;
        if (s != null) {
            try {
                configure(s, Linux.AF_UNSPEC, settings.group(), NFULNL_CFG_CMD_UNBIND, false);
            } catch (NativeException e) {
                // closing the socket destroys the instance anyway (NETLINK_URELEASE)
                log.log(System.Logger.Level.DEBUG, label + ": unbind: " + e.getMessage());
            }
            s.close();
        }
        if (wakeFd >= 0) {
            Sys.LIBC.close(wakeFd);
        }
    }

    /** The group this source binds, so that the managed capture rule logs there (and only the families it takes). */
    @Override
    public Optional<NflogGroup> nflogGroup() {
        return Optional.of(new NflogGroup(settings.group(), settings.ipv4(), settings.ipv6()));
    }

    @Override
    public String toString() {
        return "nflog(group " + settings.group() + ")";
    }
}
