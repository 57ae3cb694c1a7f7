package dev.pmtud.sink.raw;

import dev.pmtud.api.Values;
import java.net.InetAddress;
import java.util.Arrays;

/** Reads captured Ethernet frames: enough IPv4 / IPv6 to check what the sink put on the wire. */
final class Wire {
    private Wire() {
    }

    static int etherType(byte[] f) {
        return (f[12] & 0xff) << 8 | (f[13] & 0xff);
    }

    static byte[] mac(byte[] f, int at) {
        return Arrays.copyOfRange(f, at, at + 6);
    }

    /** The IP packet after the Ethernet header. */
    static byte[] l3(byte[] f) {
        return Arrays.copyOfRange(f, 14, f.length);
    }

    static boolean isV4(byte[] f) {
        return f.length >= 34 && etherType(f) == 0x0800;
    }

    static boolean isV6(byte[] f) {
        return f.length >= 54 && etherType(f) == 0x86dd;
    }

    /** IPv4 protocol or IPv6 next header. */
    static int protocol(byte[] ip) {
        return (ip[0] & 0xf0) == 0x40 ? ip[9] & 0xff : ip[6] & 0xff;
    }

    /** TTL or hop limit. */
    static int ttl(byte[] ip) {
        return (ip[0] & 0xf0) == 0x40 ? ip[8] & 0xff : ip[7] & 0xff;
    }

    static InetAddress source(byte[] ip) {
        return (ip[0] & 0xf0) == 0x40 ? addr(ip, 12, 4) : addr(ip, 8, 16);
    }

    static InetAddress destination(byte[] ip) {
        return (ip[0] & 0xf0) == 0x40 ? addr(ip, 16, 4) : addr(ip, 24, 16);
    }

    /** What follows the (option-less IPv6 / any-IHL IPv4) header, cut to the header's length. */
    static byte[] payload(byte[] ip) {
        if ((ip[0] & 0xf0) == 0x40) {
            int ihl = (ip[0] & 0x0f) * 4;
            int total = (ip[2] & 0xff) << 8 | (ip[3] & 0xff);
            return Arrays.copyOfRange(ip, ihl, total);
        }
        int len = (ip[4] & 0xff) << 8 | (ip[5] & 0xff);
        return Arrays.copyOfRange(ip, 40, 40 + len);
    }

    static InetAddress ip(String text) {
        return Values.parseAddress(text);
    }

    private static InetAddress addr(byte[] b, int off, int len) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(b, off, off + len));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ICMPv6 bytes with the checksum field zeroed, to compare messages whose pseudo-header changed. */
    static byte[] withoutChecksum(byte[] icmp) {
        byte[] c = icmp.clone();
        c[2] = 0;
        c[3] = 0;
        return c;
    }
}
