package dev.pmtud.api;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Where packets come from: an NFLOG group, a live capture, a capture file.
 *
 * <p>Lifecycle, as the runtime drives it. Every source has a thread of its own, and everything it
 * owns is touched by one thread at a time, so a source needs no locks, flags or latches for its
 * lifecycle:
 * <ol>
 *   <li>{@link #open()}, once, on the runtime's thread (tests open a source inside a network
 *       namespace on yet another thread): acquire sockets, handles, files.
 *   <li>{@link #run(PacketHandler)}, at most once, on the source's own thread, after
 *       {@code open()} returned: read until the input ends (a file) or {@link #wakeup()} is called.
 *   <li>{@link #close()}, exactly once, <em>on the source's own thread right after {@code run()}
 *       returned</em> (or threw): release everything {@code open()} acquired. Since it never runs
 *       while {@code run()} does, it may free what {@code run()} used without waiting for anyone.
 *       A source that was opened but never run (another component failed to start) is closed
 *       by the thread that stops the runtime instead; {@code close()} is then called even when
 *       {@code open()} threw, so it releases whatever {@code open()} had acquired before failing.
 * </ol>
 * {@link #wakeup()} comes from any other thread, at any time after {@code open()} returned: before
 * {@code run()} began, while it runs, or after it returned and {@code close()} ran. What
 * {@code open()} wrote is visible to it. {@link #lost()} may be called from any thread at any
 * time, {@code close()} included.
 */
public interface Source extends AutoCloseable {

    /** Binds sockets, opens files. Throws with a one-line, actionable message on failure. */
    void open() throws IOException;

    /**
     * Reads packets and hands each to {@code handler}, reusing one {@link Packet} instance. Returns
     * when the source is exhausted (a file) or soon after {@link #wakeup()}, which may have been
     * called before this method began. Transient errors are counted, not thrown.
     */
    void run(PacketHandler handler) throws IOException;

    /**
     * Makes {@link #run} return soon: now if it is waiting for input, at once if it has not begun
     * yet. Called from any thread, any number of times, also after {@link #close()}, where it must
     * do nothing. It must not block and must not release anything ({@code close()} does that, on
     * the source's own thread): typically a write to an eventfd the source polls, or a libpcap
     * break-loop.
     */
    void wakeup();

    /** What {@link #capturesFrom()} returns for a source that captures on every interface. */
    Set<String> EVERY_INTERFACE = Set.of("any");

    /**
     * The network devices this source captures from, by name, so that the runtime can refuse a
     * configuration that would capture what a sink injects ({@link Sink#injectsInto()}).
     * {@link #EVERY_INTERFACE} when it captures everywhere; empty when it captures from no device
     * (a file, a socket) or cannot tell (NFLOG: the netfilter rule decides, and the managed rule is
     * checked on its own).
     */
    default Set<String> capturesFrom() {
        return Set.of();
    }

    /**
     * The NFLOG group this source reads, when it reads one, so that whoever installs the netfilter
     * rule feeding it (the app's managed capture rule) logs to that group and those families,
     * learnt from the source as built rather than from its configuration. Empty by default.
     */
    default Optional<NflogGroup> nflogGroup() {
        return Optional.empty();
    }

    /**
     * Messages the kernel (or capture layer) reported as dropped before pmtud could read them, for
     * example NFLOG sequence gaps or pcap_stats drops. Exported as {@code pmtud_source_lost_total}.
     * Read by the metrics scrape on another thread, {@code close()} included: return a value the
     * source's own thread keeps up to date, or ask something that stays safe to ask after
     * {@code close()} (never a descriptor or native memory {@code close()} may be releasing).
     */
    default long lost() {
        return 0;
    }

    /**
     * Whether the source can capture now, or why not in one line ("interface eth0 is gone"): read by
     * the runtime, from any thread, for {@code /readyz} and the {@code pmtud_source_failing} gauge
     * (a source whose {@code run()} threw is failing whatever this says). Must be cheap and must not
     * block. Default: OK.
     */
    default Health health() {
        return Health.OK;
    }

    /**
     * Releases what {@link #open()} acquired. Called once, on the source's own thread after
     * {@link #run} returned (see the class comment), so it never races {@code run()}.
     */
    @Override
    void close();
}
