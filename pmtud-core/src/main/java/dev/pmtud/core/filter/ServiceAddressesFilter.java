package dev.pmtud.core.filter;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Keeps only messages about a packet this cluster sent: the embedded (quoted) packet's source must be
 * one of the cluster's own service addresses (VIPs, node addresses, Service IPs), given as networks,
 * the address of a current peer, or one of the cluster's addresses ({@code cluster.addresses}: the
 * Kubernetes Services' IPs). Every other message is about a flow no node of ours has, so
 * relaying it can only spend the budget; a blind attacker who floods forged messages must guess
 * such an address for each forgery to get past this filter (see docs/configuration.md).
 *
 * <p>The peers' addresses follow the peer set, and the cluster's addresses their set: a listener
 * swaps in a new {@link AddressTable} after every change, and the hot path reads one volatile field
 * per set.
 */
final class ServiceAddressesFilter implements Filter {
    static final String FOREIGN = "foreign-embedded-source";
    private static final Verdict DROP_FOREIGN = Verdict.drop(FOREIGN);

    private final Cidr[] v4;
    private final Cidr[] v6;
    private volatile AddressTable peers = AddressTable.EMPTY;
    private volatile AddressTable clusterAddresses = AddressTable.EMPTY;

    ServiceAddressesFilter(List<Cidr> networks) {
        this.v4 = networks.stream().filter(c -> c.addressLength() == 4).toArray(Cidr[]::new);
        this.v6 = networks.stream().filter(c -> c.addressLength() == 16).toArray(Cidr[]::new);
    }

    /** The peers' addresses now count as the cluster's (called by the peer set's listener). */
    void peersChanged(Set<InetAddress> current) {
        peers = AddressTable.of(current);
    }

    /** The cluster's addresses now count (called by the cluster-address set's listener). */
    void clusterAddressesChanged(Set<InetAddress> current) {
        clusterAddresses = AddressTable.of(current);
    }

    @Override
    public Verdict apply(Packet packet) {
        byte[] buf = packet.buffer();
        int at = packet.innerSourceOffset();
        int len = packet.addressLength();
        for (Cidr c : len == 4 ? v4 : v6) {
            if (c.contains(buf, at, len)) {
                return Verdict.PASS;
            }
        }
        return peers.contains(buf, at, len) || clusterAddresses.contains(buf, at, len) ? Verdict.PASS : DROP_FOREIGN;
    }

    @Override
    public Collection<String> dropReasons() {
        return List.of(FOREIGN);
    }
}
