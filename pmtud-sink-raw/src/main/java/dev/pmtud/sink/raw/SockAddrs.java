package dev.pmtud.sink.raw;

import dev.pmtud.sys.Linux;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;

/** Writes {@code sockaddr_in}, {@code sockaddr_in6} and {@code sockaddr_ll} into native memory. */
final class SockAddrs {
    private SockAddrs() {
    }

    /** Room for any of the three. */
    static final int MAX_SIZE = Linux.SOCKADDR_IN6_SIZE;

    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** A 16-bit value in network byte order, as {@link Pointer#putShort} must be given it. */
    static short be16(int v) {
        short s = (short) v;
        return LITTLE ? Short.reverseBytes(s) : s;
    }

    /** Writes the address (port 0: raw sockets want 0) and returns its length. */
    static int ip(Pointer p, long off, InetAddress address) {
        byte[] a = address.getAddress();
        if (address instanceof Inet4Address) {
            for (int i = 0; i < Linux.SOCKADDR_IN_SIZE; i++) {
                p.putByte(off + i, (byte) 0);
            }
            p.putShort(off, (short) Linux.AF_INET);
            p.put(off + 4, a, 0, 4);
            return Linux.SOCKADDR_IN_SIZE;
        }
        for (int i = 0; i < Linux.SOCKADDR_IN6_SIZE; i++) {
            p.putByte(off + i, (byte) 0);
        }
        p.putShort(off, (short) Linux.AF_INET6);
        p.put(off + 8, a, 0, 16);
        if (address instanceof java.net.Inet6Address && ((java.net.Inet6Address) address).getScopeId() != 0) {
            p.putInt(off + 24, ((java.net.Inet6Address) address).getScopeId());
        }
        return Linux.SOCKADDR_IN6_SIZE;
    }

    /** A {@code sockaddr_ll} for sending on {@code ifIndex} to {@code mac} (48-bit number). */
    static int link(Pointer p, long off, int ifIndex, int etherType, long mac) {
        for (int i = 0; i < Linux.SOCKADDR_LL_SIZE; i++) {
            p.putByte(off + i, (byte) 0);
        }
        p.putShort(off, (short) Linux.AF_PACKET);
        p.putShort(off + 2, be16(etherType));
        p.putInt(off + 4, ifIndex);
        p.putByte(off + 11, (byte) 6);
        for (int i = 0; i < 6; i++) {
            p.putByte(off + 12 + i, (byte) (mac >>> (8 * (5 - i))));
        }
        return Linux.SOCKADDR_LL_SIZE;
    }

    /** Rewrites only the protocol of a {@code sockaddr_ll} written by {@link #link}. */
    static void linkProtocol(Pointer p, long off, int etherType) {
        p.putShort(off + 2, be16(etherType));
    }
}
