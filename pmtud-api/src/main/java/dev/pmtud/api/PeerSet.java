package dev.pmtud.api;

import java.net.InetAddress;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The merged peers of all providers, without this node's own addresses. What a sink replicates to.
 */
public interface PeerSet {

    /** An immutable snapshot; cheap to call per packet. */
    Set<InetAddress> current();

    /** Called with the new snapshot after every change (on the provider's thread). */
    void addListener(Consumer<Set<InetAddress>> listener);
}
