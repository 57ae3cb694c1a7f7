package dev.pmtud.app.gopmtud;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * go-pmtud's choice of the l2 replication interface ({@code GetReplicationInterface} in its
 * {@code internal/util/interface.go}): the first of {@code --iface_names}, in the order given, that
 * exists on this node with exactly {@code --iface_mtu}'s MTU; none is an error.
 */
final class ReplicationInterface {
    private ReplicationInterface() {
    }

    /** The interface to replicate on, or empty when none of {@code names} has {@code mtu} here. */
    static Optional<String> pick(List<String> names, int mtu) {
        for (String name : names) {
            if (mtu(name) == mtu) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** What this node has of {@code names}: {@code eth0 has MTU 9000, eth1 does not exist}. */
    static String seen(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            int m = mtu(name);
            out.add(name + (m < 0 ? " does not exist" : " has MTU " + m));
        }
        return String.join(", ", out);
    }

    /** The interface's MTU in this network namespace, or -1 when there is no such interface. */
    private static int mtu(String name) {
        try {
            NetworkInterface i = NetworkInterface.getByName(name);
            return i == null ? -1 : i.getMTU();
        } catch (SocketException e) {
            return -1;
        }
    }
}
