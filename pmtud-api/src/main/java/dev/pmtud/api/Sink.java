package dev.pmtud.api;

import java.io.IOException;
import java.util.List;
import java.util.Set;

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

    /**
     * A filter the runtime runs before the configured ones, for the loop protection this sink's way
     * of sending needs: a sink that broadcasts frames drops frames that arrived as broadcast, one
     * that unicasts to peers' MACs drops frames from those MACs. {@code null} when none is needed.
     * Its drops are counted under the filter label {@code <sink name>-loop-guard}.
     */
    default Filter loopGuard() {
        return null;
    }

    /**
     * Network devices this sink writes packets into so that the kernel handles them as received
     * there (the {@code inject} sink's TUN device). No source of any pipeline may capture from them:
     * an injected copy captured again would be relayed again, a loop. The runtime refuses such a
     * configuration at start. Empty for sinks that only send.
     */
    default Set<String> injectsInto() {
        return Set.of();
    }

    /**
     * Caveats about this sink as configured that are not mistakes, one sentence each, saying what
     * it cannot do and what to use instead (for example a mode that never reaches a pod behind
     * DNAT). Read once the sink is created: {@code pmtud validate} prints them under {@code NOTE:},
     * {@code pmtud run} logs them once at INFO. Empty for most sinks.
     */
    default List<String> notes() {
        return List.of();
    }

    /**
     * Whether the sink can send now, or why not in one line ("interface eth0 is gone"): read by the
     * runtime, from any thread, for {@code /readyz} (503 naming the sink while it fails) and the
     * {@code pmtud_sink_failing} gauge. A sink that tracks its failures with an {@link Outage}
     * returns its {@link Outage#health()}. Must be cheap and must not block. Default: OK.
     */
    default Health health() {
        return Health.OK;
    }

    /** Pushes out anything buffered. Called at stop, before {@link #close()}. */
    default void flush() throws IOException {
    }

    @Override
    void close() throws IOException;
}
