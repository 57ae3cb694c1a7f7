package dev.pmtud.source.nflog;

import dev.pmtud.api.Metrics;
import dev.pmtud.api.NflogGroup;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Source;
import dev.pmtud.sys.InterfaceNames;
import dev.pmtud.sys.SocketMemInfo;
import java.io.IOException;
import java.util.Optional;

/**
 * Reads an NFLOG group over NETLINK_NETFILTER, speaking nfnetlink_log directly. The parts, each
 * its own class: {@link NflogBinding} (bind the group, or say why not), {@link NflogReceiver} (the
 * poll loop), {@link NflogPackets} (message to {@code Packet}), {@link NflogLossCounter} (what the
 * kernel dropped, {@link #lost()}) and {@link NflogDiscards} (what arrived but could not be handed
 * on, {@code pmtud_source_discarded_total}). This class is the lifecycle: {@link #open()} binds and
 * allocates, {@link #run} reads until {@link #wakeup()}, {@link #close()} (on the thread that ran
 * {@code run}) unbinds and frees, and each releases whatever exists, so a failed open needs no
 * clean-up of its own.
 *
 * <p>Hot path: poll, one {@code recvmmsg} of up to {@value NflogReceiver#SLOTS} kernel batches, one
 * copy per batch into a reused byte[], attributes found by offset, one reused {@code Packet}.
 *
 * <p>NFLOG instances belong to a network namespace: open the source in the namespace whose rule
 * logs to the group (the daemon's own; tests use {@code Netns.call}).
 */
public final class NflogSource implements Source {
    /** Adaptive batching returns to {@code batch} after this long without a backlog. */
    static final long CALM_NANOS = 1_000_000_000L;
    private final NflogSettings settings;
    private final String label;
    private final System.Logger log;
    private final NflogDiscards discards;
    private final NflogLossCounter loss;
    private final NflogPackets packets;

    private NflogBinding binding;
    private SocketMemInfo memInfo;
    private InterfaceNames interfaces;
    private NflogReceiver receiver;

    /**
     * @param metrics where {@code pmtud_source_discarded_total{source=label,reason}} goes
     *                (the pipeline's, from the context)
     */
    public NflogSource(NflogSettings settings, String label, System.Logger log, Metrics metrics) {
        this.settings = settings;
        this.label = label;
        this.log = log;
        this.discards = new NflogDiscards(metrics, label);
        this.loss = new NflogLossCounter(this::socketDrops);
        this.packets = new NflogPackets(settings, loss, discards);
    }

    /** A source whose discards are counted but exported nowhere (tests, tools). */
    public NflogSource(NflogSettings settings, String label, System.Logger log) {
        this(settings, label, log, Metrics.NOOP);
    }

    public NflogSettings settings() {
        return settings;
    }

    @Override
    public void open() throws IOException {
        binding = NflogBinding.bind(settings, label, log);
        int fd = binding.socket().fd();
        memInfo = new SocketMemInfo(fd);
        interfaces = new InterfaceNames(fd);
        packets.interfaces(interfaces);
        NflogBatchControl batching = new NflogBatchControl(settings.batch(), settings.burstBatch(), CALM_NANOS);
        receiver = new NflogReceiver(fd, label + ": recvmmsg(NFLOG group " + settings.group() + ")", packets, loss,
                batching, binding::queueThreshold, log);
        loss.start();
        log.log(System.Logger.Level.INFO, label + ": NFLOG group " + settings.group() + " bound (buffer "
                + binding.receiveBufferSize() + " bytes, batch " + settings.batch()
                + (batching.adaptive() ? ", " + batching.burst() + " while backlogged" : "") + ", flush "
                + settings.flushCentiseconds() * 10 + " ms)");
    }

    @Override
    public void run(PacketHandler handler) throws IOException {
        if (receiver == null) {
            throw new IllegalStateException("open() the source first");
        }
        receiver.run(handler);
    }

    @Override
    public void wakeup() {
        if (receiver != null) {
            receiver.wakeup();
        }
    }

    /** Hands every packet message of one kernel batch to {@code handler} (what {@link #run} does per batch). */
    void handleDatagram(byte[] b, int off, int len, long nowNanos, PacketHandler handler) {
        packets.batch(b, off, len, false, nowNanos, handler);
    }

    /** The socket's sk_drops, -1 before open(): the loss counter's reading, on the source's thread. */
    private long socketDrops() {
        return memInfo == null ? -1 : memInfo.drops();
    }

    @Override
    public long lost() {
        return loss.lost();
    }

    /** Messages handed to the handler. */
    public long received() {
        return packets.received();
    }

    /** recvmmsg calls that returned data (for packets per syscall). */
    public long receiveCalls() {
        return receiver == null ? 0 : receiver.receiveCalls();
    }

    /** How often the kernel reported a receive buffer overrun (ENOBUFS: congestion episodes). */
    public long overruns() {
        return receiver == null ? 0 : receiver.overruns();
    }

    /** How often adaptive batching changed the kernel's queue threshold (to the burst value and back). */
    public long batchSwitches() {
        return receiver == null ? 0 : receiver.batchSwitches();
    }

    /** Kernel batches the socket dropped (sk_drops since open), as of the last overrun or idle moment. */
    public long droppedBatches() {
        return loss.droppedBatches();
    }

    /** Messages (batches, for {@code truncated}) received but discarded for {@code reason}: malformed, other-family, truncated. */
    public long discarded(String reason) {
        return discards.count(reason);
    }

    /** Unbinds the group and frees everything open() acquired, as far as it got. */
    @Override
    public void close() {
        if (receiver != null) {
            receiver.close();
        }
        if (interfaces != null) {
            interfaces.close();
        }
        if (memInfo != null) {
            memInfo.close();
        }
        if (binding != null) {
            binding.close();
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
