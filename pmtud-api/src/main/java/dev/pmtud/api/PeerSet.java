package dev.pmtud.api;

import java.net.InetAddress;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The merged peers of all providers, without this node's own addresses. What a sink replicates to.
 * Also the shape of {@link PipelineContext#clusterAddresses()}, the cluster's own service addresses.
 */
public interface PeerSet {

    /** An empty set that never changes (its listeners are never called). */
    PeerSet NONE = new PeerSet() {
        @Override
        public Set<InetAddress> current() {
            return Set.of();
        }

        @Override
        public void addListener(Consumer<Set<InetAddress>> listener) {
            // nothing ever changes
        }
    };

    /** An immutable snapshot; cheap to call per packet. */
    Set<InetAddress> current();

    /** Called with the new snapshot after every change (on the provider's thread). */
    void addListener(Consumer<Set<InetAddress>> listener);
}
