package dev.pmtud.core.peers;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * This node's own addresses, from every interface (up or down, loopback included): replicating a
 * message to ourselves would only make the kernel see it twice.
 */
public final class OwnAddresses implements Supplier<Set<InetAddress>> {

    @Override
    public Set<InetAddress> get() {
        Set<InetAddress> own = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    own.add(withoutScope(a));
                }
            }
        } catch (SocketException e) {
            // Without the list we cannot filter; keep going rather than refuse to replicate.
            System.getLogger(OwnAddresses.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot list this node's addresses (" + e.getMessage() + "); own addresses stay in the peer set");
        }
        return own;
    }

    /** The address without an IPv6 scope, so that {@code fe80::1%eth0} equals a peer's {@code fe80::1}. */
    static InetAddress withoutScope(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
