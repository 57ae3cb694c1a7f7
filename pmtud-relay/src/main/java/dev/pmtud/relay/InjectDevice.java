package dev.pmtud.relay;

import dev.pmtud.sys.Capability;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.Tun;
import dev.pmtud.sys.netlink.Rtnetlink;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;
import jnr.ffi.Pointer;

/**
 * The TUN device the inject sink writes into, set up so that the kernel takes what arrives on it
 * like a received packet: an IPv4 address (reverse-path filtering drops everything that arrives on
 * an interface without one, whatever its own rp_filter says), {@code rp_filter=2} (loose: the
 * router that sent the message is routed via another interface), IPv6 enabled, up. Made over
 * rtnetlink ({@link DeviceSettings}: it works where /proc/sys is read-only), never with the
 * {@code ip} binary.
 *
 * <p>It only ever touches a device it created: creation is refused when the name exists, and the
 * device is non-persistent, so closing the descriptor removes it (and a crash does too).
 */
final class InjectDevice implements AutoCloseable {
    /** How long close waits for the kernel to have removed the device. */
    private static final long GONE_TIMEOUT_NANOS = 2_000_000_000L;

    private final Tun tun;
    private final Rtnetlink netlink;
    private final int index;
    private final Optional<String> ipv6Problem;

    private InjectDevice(Tun tun, Rtnetlink netlink, int index, Optional<String> ipv6Problem) {
        this.tun = tun;
        this.netlink = netlink;
        this.index = index;
        this.ipv6Problem = ipv6Problem;
    }

    /**
     * Creates and configures {@code name} in the calling thread's network namespace.
     *
     * @param what how the one-line error messages name the sink, e.g. {@code "inject sink inject"}
     * @param cloneDevice {@link Tun#CLONE_DEVICE} (another path only in tests)
     */
    static InjectDevice create(String name, InetAddress address, int prefixLength, String what, String cloneDevice)
            throws IOException {
        Rtnetlink netlink = Rtnetlink.open();
        Tun tun = null;
        try {
            if (netlink.linkIndex(name) != 0) {
                throw exists(what, name);
            }
            try {
                tun = Tun.create(name, cloneDevice);
            } catch (NativeException e) {
                throw explain(e, what, name, cloneDevice);
            }
            int index = netlink.linkIndex(tun.name());
            if (index == 0) {
                throw new IOException(what + ": the TUN device " + name + " vanished right after it was created");
            }
            netlink.addAddress(index, address, prefixLength);
            DeviceSettings.looseReversePathFilter(netlink, index, name, what);
            Optional<String> ipv6Problem = DeviceSettings.enableIpv6(name);
            netlink.setUp(index);
            return new InjectDevice(tun, netlink, index, ipv6Problem);
        } catch (IOException | RuntimeException e) {
            if (tun != null) {
                tun.close(); // ours: removing it is right
            }
            netlink.close();
            throw e;
        }
    }

    private static IOException exists(String what, String name) {
        return new IOException(what + ": device " + name + " already exists; another pmtud is probably running "
                + "(`ip link show " + name + "`); pmtud only uses a device it creates: stop the other one or set device: "
                + "to another name");
    }

    private static IOException explain(NativeException e, String what, String name, String cloneDevice) {
        int errno = e.errno();
        if (e instanceof Tun.CloneDeviceException) {
            if (errno == Errno.ENOENT || errno == Errno.ENODEV || errno == Errno.ENXIO) {
                return new NativeException(what + ": " + cloneDevice + " is missing (" + Errno.name(errno) + "); load the "
                        + "tun module (modprobe tun) or, in a container, mount the host's /dev/net/tun", errno, true);
            }
            if (errno == Errno.EACCES || errno == Errno.EPERM) {
                return new NativeException(what + ": cannot open " + cloneDevice + " (" + Errno.name(errno) + "); run as "
                        + "root or give pmtud access to the device", errno, true);
            }
        } else if (errno == Errno.EPERM) {
            return Capability.NET_ADMIN.missing(what + ": creating the TUN device " + name, errno);
        } else if (errno == Errno.EBUSY || errno == Errno.EEXIST) {
            return new NativeException(exists(what, name).getMessage(), errno, true);
        }
        return new NativeException(what + ": " + e.getMessage(), errno, true);
    }

    String name() {
        return tun.name();
    }

    /** Empty when IPv6 works on the device, else why not (IPv6 messages are then not written). */
    Optional<String> ipv6Problem() {
        return ipv6Problem;
    }

    /** Writes one IP packet into the device; {@code -errno} on failure. */
    long write(Pointer packet, int length) {
        return tun.write(packet, length);
    }

    /**
     * Closes the descriptor, which removes the device, and checks that it is gone.
     *
     * @return false when the device still existed after a short wait (logged by the caller)
     */
    boolean remove() {
        tun.close();
        try {
            long deadline = System.nanoTime() + GONE_TIMEOUT_NANOS;
            while (netlink.linkExists(index)) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L); // rare: removal is synchronous in close()
            }
            return true;
        } catch (NativeException e) {
            return false;
        } finally {
            netlink.close();
        }
    }

    @Override
    public void close() {
        remove();
    }
}
