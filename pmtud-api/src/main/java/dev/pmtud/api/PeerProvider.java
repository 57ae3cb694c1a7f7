package dev.pmtud.api;

import java.io.IOException;

/**
 * Supplies the addresses of the other nodes: a static list, a file, DNS, the Kubernetes API.
 * Several providers merge into one {@link PeerSet}.
 */
public interface PeerProvider extends AutoCloseable {

    /**
     * Starts providing: reports the first set before returning when it can, then keeps reporting
     * changes from its own thread (if it has any) until closed. Throws only when it can never work
     * (bad configuration); transient failures go to {@link PeerListener#refreshFailed}.
     */
    void start(PeerListener listener) throws IOException;

    @Override
    void close();
}
