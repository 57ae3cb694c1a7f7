package dev.pmtud.api;

import java.net.InetAddress;
import java.util.Set;

/** What a {@link PeerProvider} reports to. Thread-safe; call it from any thread. */
public interface PeerListener {

    /** The provider's complete, current set of peers (not a delta). */
    void peersChanged(Set<InetAddress> peers);

    /**
     * A refresh failed. The runtime keeps the provider's last good set, counts the failure under
     * {@code reason} (a short stable label) and logs {@code detail}.
     */
    void refreshFailed(String reason, String detail);
}
