package dev.pmtud.core;

import dev.pmtud.api.PeerSet;
import dev.pmtud.core.peers.MergedPeerSet;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One component's view of a merged set (the peers, or the cluster's addresses): the same set, but
 * the listeners it adds are its own, so that when a reload removes the component they are detached
 * from the set every pipeline shares ({@link #detach()}) instead of being told about changes for as
 * long as the daemon runs.
 */
final class ComponentPeers implements PeerSet {
    private final MergedPeerSet peers;
    private final List<Consumer<Set<InetAddress>>> added = new CopyOnWriteArrayList<>();
    private volatile boolean detached;

    ComponentPeers(MergedPeerSet peers) {
        this.peers = peers;
    }

    @Override
    public Set<InetAddress> current() {
        return peers.current();
    }

    @Override
    public void addListener(Consumer<Set<InetAddress>> listener) {
        if (detached) {
            return;
        }
        added.add(listener);
        peers.addListener(listener);
    }

    /** Removes every listener this component added; later ones are ignored. */
    void detach() {
        detached = true;
        for (Consumer<Set<InetAddress>> l : added) {
            peers.removeListener(l);
        }
        added.clear();
    }
}
