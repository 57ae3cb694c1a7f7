package dev.pmtud.api;

import java.io.IOException;

/**
 * Where forwarded packets go: raw sockets towards the peers, a pcap file, the log.
 *
 * <p>{@link #send} runs on the source thread that read the packet; it must not keep a reference to
 * the packet after it returns (copy it if it must). Per-peer failures are to be counted through
 * {@link PipelineContext#metrics()} and must not be thrown: one unreachable peer never stops
 * delivery to the others. Throw only when the sink as a whole failed for this packet.
 */
public interface Sink extends AutoCloseable {

    /** Opens sockets or files. Throws with a one-line, actionable message on failure. */
    void open() throws IOException;

    void send(Packet packet) throws IOException;

    /** Pushes out anything buffered. Called at stop, before {@link #close()}. */
    default void flush() throws IOException {
    }

    @Override
    void close() throws IOException;
}
