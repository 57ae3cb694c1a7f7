package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;

/**
 * How one replication mode gets a message to the peers: its sockets, what it must know of the
 * kernel (own addresses, neighbours) and its own loop guard. {@link RawSink} picks one by mode and
 * delegates to it. Threads: {@link #open}, {@link #close} on the runtime's; {@link #send} on the
 * sending thread (the hot path: no allocation); {@link #refresh} on the sink's refresh thread.
 */
interface Replicator extends Refresher.Task, AutoCloseable {

    /** Opens what it sends with, in the calling thread's network namespace. */
    void open() throws IOException;

    /** Sends one message to every peer; counts each peer's result. */
    void send(Packet packet) throws IOException;

    /** Asks the kernel again what may have changed; {@link Refresher#pause} may wait within. */
    @Override
    void refresh(Refresher refresher) throws IOException;

    /** The mode's loop guard, or {@code null} when it needs none in the pipeline (known before {@link #open}). */
    Filter loopGuard();

    /** The interface it sends on, or {@code null} when the routing table decides. */
    SendInterface sendInterface();


    /** The peers' MACs as last read (l2-unicast), empty otherwise; diagnostics and tests. */
    default Map<InetAddress, String> peerMacs() {
        return Map.of();
    }

    /** Closes everything {@link #open} opened, also after a failed open. Idempotent. */
    @Override
    void close();
}
