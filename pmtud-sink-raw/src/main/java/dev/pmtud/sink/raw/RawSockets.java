package dev.pmtud.sink.raw;

import dev.pmtud.api.Values;
import dev.pmtud.sys.Capability;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.NativeMemory;
import dev.pmtud.sys.SockAddr;
import dev.pmtud.sys.SocketFilter;
import dev.pmtud.sys.Sys;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Opens the raw sink's sockets, in the calling thread's network namespace, with its error messages
 * (the component named, the capability or setting that fixes it). Every socket is send-only: what
 * could be queued to it is refused by a filter that accepts nothing, or never matched at all.
 */
final class RawSockets {
    private final RawSettings settings;

    RawSockets(RawSettings settings) {
        this.settings = settings;
    }

    /**
     * A raw IP socket of {@code family} for {@code protocol} (ICMP, ICMPv6: the kernel writes the IP
     * header; IPIP, IPV6: the payload is a whole packet), with the configured TTL / hop limit and
     * source, bound to {@code iface} when there is one.
     *
     * @throws NativeException EAFNOSUPPORT when this namespace has no such family (IPv6 disabled)
     */
    Descriptor ip(int family, int protocol, SendInterface iface) throws IOException {
        Descriptor fd = open(family, Linux.SOCK_RAW, protocol,
                (family == Linux.AF_INET ? "AF_INET" : "AF_INET6") + ", SOCK_RAW, " + protocol);
        try {
            if (family == Linux.AF_INET) {
                Sys.setIntOption(fd.fd(), Linux.IPPROTO_IP, Linux.IP_TTL, settings.ttl(), "IP_TTL");
            } else {
                Sys.setIntOption(fd.fd(), Linux.IPPROTO_IPV6, Linux.IPV6_UNICAST_HOPS, settings.ttl(), "IPV6_UNICAST_HOPS");
            }
            SocketFilter.acceptNothing(fd.fd());
            if (iface != null) {
                Sys.bindToDevice(fd.fd(), iface.name());
            }
            for (InetAddress s : settings.sources()) {
                if ((s instanceof Inet4Address) == (family == Linux.AF_INET)) {
                    bind(fd, s);
                }
            }
            return fd;
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** A send-only packet socket (protocol 0: the kernel queues nothing to it) for link-layer frames. */
    Descriptor packet() throws IOException {
        return open(Linux.AF_PACKET, Linux.SOCK_DGRAM, 0, "AF_PACKET");
    }

    /**
     * A non-blocking UDP socket of {@code family} bound to {@code iface}, whose datagrams make the
     * kernel resolve a neighbour; {@code null} when the family is not available (resolution of that
     * family is then left to the kernel's own traffic).
     */
    static Descriptor resolver(int family, SendInterface iface) throws NativeException {
        Descriptor fd;
        try {
            fd = Descriptor.socket(family, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK, 0, "SOCK_DGRAM");
        } catch (NativeException e) {
            return null;
        }
        try {
            SocketFilter.acceptNothing(fd.fd());
            Sys.bindToDevice(fd.fd(), iface.name());
            return fd;
        } catch (NativeException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private Descriptor open(int domain, int type, int protocol, String what) throws NativeException {
        try {
            return Descriptor.socket(domain, type, protocol, what);
        } catch (NativeException e) {
            int errno = e.errno();
            if (errno == Errno.EPERM || errno == Errno.EACCES) {
                throw Capability.NET_RAW.missing(settings.config().what() + ": a raw socket (" + what + ")", errno);
            }
            throw new NativeException(settings.config().what() + ": socket(" + what + ")", errno);
        }
    }

    private void bind(Descriptor fd, InetAddress source) throws IOException {
        try (NativeMemory sa = NativeMemory.allocate(SockAddr.MAX_SIZE)) {
            int len = SockAddr.write(sa.pointer(), 0, source, 0);
            if (Sys.LIBC.bind(fd.fd(), sa.pointer(), len) < 0) {
                int errno = Sys.errno();
                throw new IOException(settings.config().what() + ": cannot send from source " + Values.formatAddress(source) + ": "
                        + Errno.name(errno) + " (" + Sys.LIBC.strerror(errno) + "); set source: to an address of this node");
            }
        }
    }
}
