package dev.pmtud.core.peers;

import dev.pmtud.api.PeerListener;
import dev.pmtud.api.PeerProvider;
import java.net.InetAddress;
import java.util.Set;

/** A fixed list of peers from the configuration: reported once, at start. */
public final class StaticPeerProvider implements PeerProvider {
    private final Set<InetAddress> addresses;

    public StaticPeerProvider(Set<InetAddress> addresses) {
        this.addresses = Set.copyOf(addresses);
    }

    @Override
    public void start(PeerListener listener) {
        listener.peersChanged(addresses);
    }

    @Override
    public void close() {
    }
}
