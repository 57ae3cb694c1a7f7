package dev.pmtud.sys;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;

/**
 * {@code struct sockaddr_in}, {@code struct sockaddr_in6} and {@code struct sockaddr_ll} in native
 * memory: written when destinations change, read per received datagram without allocating
 * ({@link #copyAddress}).
 * <pre>
 *   sockaddr_in:  u16 family | be16 port | 4-byte address | 8 zero bytes           (16 bytes)
 *   sockaddr_in6: u16 family | be16 port | be32 flowinfo | 16-byte address | u32 scope id (28 bytes)
 *   sockaddr_ll:  u16 family | be16 protocol | i32 ifindex | u16 hatype | u8 pkttype | u8 halen
 *                 | 8-byte address (20 bytes)
 * </pre>
 */
public final class SockAddr {
    private SockAddr() {
    }

    /** Room for any of the three. */
    public static final int MAX_SIZE = Linux.SOCKADDR_IN6_SIZE;

    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** A 16-bit value in network byte order, as {@link Pointer#putShort} must be given it. */
    public static short be16(int v) {
        short s = (short) v;
        return LITTLE ? Short.reverseBytes(s) : s;
    }

    /** Writes {@code address:port} (zeroing the rest of the structure) and returns its length. */
    public static int write(Pointer p, long off, InetAddress address, int port) {
        byte[] a = address.getAddress();
        if (address instanceof Inet4Address) {
            zero(p, off, Linux.SOCKADDR_IN_SIZE);
            p.putShort(off, (short) Linux.AF_INET);
            p.putShort(off + 2, be16(port));
            p.put(off + 4, a, 0, 4);
            return Linux.SOCKADDR_IN_SIZE;
        }
        zero(p, off, Linux.SOCKADDR_IN6_SIZE);
        p.putShort(off, (short) Linux.AF_INET6);
        p.putShort(off + 2, be16(port));
        p.put(off + 8, a, 0, 16);
        if (address instanceof Inet6Address && ((Inet6Address) address).getScopeId() != 0) {
            p.putInt(off + 24, ((Inet6Address) address).getScopeId());
        }
        return Linux.SOCKADDR_IN6_SIZE;
    }

    /**
     * Writes a {@code sockaddr_ll} for sending on link {@code ifIndex} to {@code mac} (a 48-bit
     * number, {@code 0xffff_ffff_ffff} for broadcast) with EtherType {@code etherType}; returns its length.
     */
    public static int link(Pointer p, long off, int ifIndex, int etherType, long mac) {
        zero(p, off, Linux.SOCKADDR_LL_SIZE);
        p.putShort(off, (short) Linux.AF_PACKET);
        p.putShort(off + 2, be16(etherType));
        p.putInt(off + 4, ifIndex);
        p.putByte(off + 11, (byte) 6);
        for (int i = 0; i < 6; i++) {
            p.putByte(off + 12 + i, (byte) (mac >>> (8 * (5 - i))));
        }
        return Linux.SOCKADDR_LL_SIZE;
    }

    /** Rewrites only the EtherType of a {@code sockaddr_ll} written by {@link #link}. */
    public static void linkProtocol(Pointer p, long off, int etherType) {
        p.putShort(off + 2, be16(etherType));
    }

    private static void zero(Pointer p, long off, int len) {
        for (int i = 0; i < len; i++) {
            p.putByte(off + i, (byte) 0);
        }
    }

    /** The address family ({@link Linux#AF_INET}, {@link Linux#AF_INET6}, ...). */
    public static int family(Pointer p, long off) {
        return p.getShort(off) & 0xffff;
    }

    public static int port(Pointer p, long off) {
        return be16(p.getShort(off + 2)) & 0xffff;
    }

    /**
     * Copies the address as 16 bytes into {@code out[0..16)}: IPv6 as is, IPv4 as the mapped
     * {@code ::ffff:a.b.c.d} (what a dual-stack socket reports for IPv4 peers anyway), so one lookup
     * table serves both. Returns false (and leaves {@code out} alone) for other families.
     */
    public static boolean copyAddress(Pointer p, long off, byte[] out) {
        int family = family(p, off);
        if (family == Linux.AF_INET6) {
            p.get(off + 8, out, 0, 16);
            return true;
        }
        if (family == Linux.AF_INET) {
            for (int i = 0; i < 10; i++) {
                out[i] = 0;
            }
            out[10] = (byte) 0xff;
            out[11] = (byte) 0xff;
            p.get(off + 4, out, 12, 4);
            return true;
        }
        return false;
    }

    /** The address as an {@link InetAddress} (IPv4-mapped IPv6 comes back as IPv4); control path only. */
    public static InetAddress address(Pointer p, long off) {
        byte[] a16 = new byte[16];
        if (!copyAddress(p, off, a16)) {
            throw new IllegalArgumentException("address family " + family(p, off) + " is neither AF_INET nor AF_INET6");
        }
        try {
            return InetAddress.getByAddress(a16); // Java turns ::ffff:a.b.c.d into an Inet4Address
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code address} as 16 bytes, IPv4 as {@code ::ffff:a.b.c.d}: the form {@link #copyAddress} fills in. */
    public static byte[] mapped(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16) {
            return a;
        }
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(a, 0, m, 12, 4);
        return m;
    }
}
