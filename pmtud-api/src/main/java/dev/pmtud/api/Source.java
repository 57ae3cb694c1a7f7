package dev.pmtud.api;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Where packets come from: an NFLOG group, a live capture, a capture file.
 *
 * <p>Lifecycle: {@link #open()} once (acquire kernel resources; a failure here stops the daemon
 * from starting, so make its message say how to fix it), then {@link #run(PacketHandler)} on a
 * dedicated thread until {@link #close()} is called from another thread.
 */
public interface Source extends AutoCloseable {

    /** Binds sockets, opens files. Throws with a one-line, actionable message on failure. */
    void open() throws IOException;

    /**
     * Reads packets and hands each to {@code handler}, reusing one {@link Packet} instance. Returns
     * when the source is exhausted (a file) or closed. Transient errors are counted, not thrown.
     */
    void run(PacketHandler handler) throws IOException;

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
     */
    default long lost() {
        return 0;
    }

    /** Makes {@link #run} return soon and releases resources. Idempotent and thread-safe. */
    @Override
    void close();
}
