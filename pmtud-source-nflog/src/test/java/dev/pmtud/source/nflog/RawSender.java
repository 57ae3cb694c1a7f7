package dev.pmtud.source.nflog;

import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.Sys;
import java.net.Inet4Address;
import java.net.InetAddress;
import jnr.ffi.Pointer;

/** Sends complete IP packets (header included) through IPPROTO_RAW sockets, for tests. */
final class RawSender implements AutoCloseable {
    private final int fd4;
    private final int fd6;
    private final Pointer buf = Sys.allocateDirect(65536);
    private final Pointer sin = Sys.allocateDirect(Linux.SOCKADDR_IN_SIZE);
    private final Pointer sin6 = Sys.allocateDirect(Linux.SOCKADDR_IN6_SIZE);

    /** Opens both sockets; call inside the sending namespace ({@code peer.call(RawSender::new)}). */
    RawSender() throws NativeException {
        fd4 = Sys.check(Sys.LIBC.socket(Linux.AF_INET, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, Linux.IPPROTO_RAW), "socket(AF_INET, IPPROTO_RAW)");
        fd6 = Sys.check(Sys.LIBC.socket(Linux.AF_INET6, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, Linux.IPPROTO_RAW), "socket(AF_INET6, IPPROTO_RAW)");
        Sys.setIntOption(fd4, Linux.SOL_SOCKET, Linux.SO_SNDBUF, 4 << 20, "SO_SNDBUF");
    }

    /** Sends {@code packet} (an IPv4 or IPv6 packet) to its own destination address. */
    void send(byte[] packet) throws NativeException {
        buf.put(0, packet, 0, packet.length);
        int version = (packet[0] & 0xff) >>> 4;
        long r;
        if (version == 4) {
            sin.putShort(0, (short) Linux.AF_INET);
            sin.put(4, packet, 16, 4);
            r = Sys.LIBC.sendto(fd4, buf, packet.length, 0, sin, Linux.SOCKADDR_IN_SIZE);
        } else {
            sin6.putShort(0, (short) Linux.AF_INET6);
            sin6.put(8, packet, 24, 16);
            r = Sys.LIBC.sendto(fd6, buf, packet.length, 0, sin6, Linux.SOCKADDR_IN6_SIZE);
        }
        Sys.check(r, "sendto(raw)");
    }

    static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }

    @Override
    public void close() {
        Sys.LIBC.close(fd4);
        Sys.LIBC.close(fd6);
    }
}
