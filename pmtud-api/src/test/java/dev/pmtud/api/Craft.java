package dev.pmtud.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Builds packets byte by byte for decoder tests. pmtud-api cannot use the testkit (it depends on
 * this module), so this is a small independent builder; checksums are not filled (the decoder does
 * not read them).
 */
final class Craft {
    private Craft() {
    }

    static final String ROUTER4 = "203.0.113.1";
    static final String VIP4 = "192.0.2.10";
    static final String CLIENT4 = "198.51.100.7";
    static final String ROUTER6 = "2001:db8:ff::1";
    static final String VIP6 = "2001:db8:1::10";
    static final String CLIENT6 = "2001:db8:2::7";

    static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress(); // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static InetAddress inet(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** An IPv4 header (IHL 5) plus payload; total length = the whole packet. */
    static byte[] ipv4(String src, String dst, int protocol, byte[] payload) {
        byte[] p = new byte[20 + payload.length];
        ByteBuffer.wrap(p).put((byte) 0x45).put((byte) 0).putShort((short) p.length).putShort((short) 7)
                .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(addr(src)).put(addr(dst)).put(payload);
        return p;
    }

    static byte[] ipv6(String src, String dst, int nextHeader, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        ByteBuffer.wrap(p).putInt(0x60000000).putShort((short) payload.length).put((byte) nextHeader).put((byte) 64)
                .put(addr(src)).put(addr(dst)).put(payload);
        return p;
    }

    /** The original packet a router quotes: IP header + 8 transport bytes (ports, sequence). */
    static byte[] inner4(int protocol, String src, int sport, String dst, int dport) {
        ByteBuffer t = ByteBuffer.allocate(8).putShort((short) sport).putShort((short) dport).putInt(0x01020304);
        byte[] ip = ipv4(src, dst, protocol, t.array());
        ByteBuffer.wrap(ip).putShort(2, (short) 9000);
        return ip;
    }

    static byte[] inner6(int protocol, String src, int sport, String dst, int dport) {
        ByteBuffer t = ByteBuffer.allocate(8).putShort((short) sport).putShort((short) dport).putInt(0x01020304);
        return ipv6(src, dst, protocol, t.array());
    }

    static byte[] icmp(int type, int code, long mtu, boolean v6, byte[] inner) {
        byte[] m = new byte[8 + inner.length];
        ByteBuffer b = ByteBuffer.wrap(m).put((byte) type).put((byte) code);
        if (v6) {
            b.putInt(4, (int) mtu);
        } else {
            b.putShort(6, (short) mtu);
        }
        System.arraycopy(inner, 0, m, 8, inner.length);
        return m;
    }

    /** A valid ICMP 3/4: router 203.0.113.1 -> VIP, quoting TCP VIP:443 -> client:51000. */
    static byte[] ptb4(int mtu) {
        return ipv4(ROUTER4, VIP4, 1, icmp(3, 4, mtu, false, inner4(6, VIP4, 443, CLIENT4, 51000)));
    }

    /** A valid ICMPv6 2/0 quoting UDP VIP:53 -> client:40000. */
    static byte[] ptb6(long mtu) {
        return ipv6(ROUTER6, VIP6, 58, icmp(2, 0, mtu, true, inner6(17, VIP6, 53, CLIENT6, 40000)));
    }

    static byte[] mac(String text) {
        String[] parts = text.split(":");
        byte[] m = new byte[6];
        for (int i = 0; i < 6; i++) {
            m[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return m;
    }

    static long macNumber(String text) {
        long n = 0;
        for (byte x : mac(text)) {
            n = n << 8 | (x & 0xff);
        }
        return n;
    }

    static int etherType(byte[] l3) {
        return l3.length > 0 && (l3[0] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
    }

    /** Ethernet with tags given as {@code tpid << 16 | vid}, outermost first. */
    static byte[] ethernet(String dst, String src, byte[] l3, int... tags) {
        return ethernetType(dst, src, etherType(l3), l3, tags);
    }

    static byte[] ethernetType(String dst, String src, int etherType, byte[] l3, int... tags) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * tags.length + l3.length);
        b.put(mac(dst)).put(mac(src));
        for (int tag : tags) {
            b.putShort((short) (tag >>> 16)).putShort((short) (tag & 0xffff));
        }
        b.putShort((short) etherType).put(l3);
        return b.array();
    }

    static byte[] sll(int packetType, String src, byte[] l3) {
        ByteBuffer b = ByteBuffer.allocate(16 + l3.length);
        b.putShort((short) packetType).putShort((short) 1).putShort((short) 6).put(mac(src)).putShort((short) 0)
                .putShort((short) etherType(l3)).put(l3);
        return b.array();
    }

    static byte[] sll2(int ifIndex, int packetType, String src, byte[] l3) {
        ByteBuffer b = ByteBuffer.allocate(20 + l3.length);
        b.putShort((short) etherType(l3)).putShort((short) 0).putInt(ifIndex).putShort((short) 1)
                .put((byte) packetType).put((byte) 6).put(mac(src)).putShort((short) 0).put(l3);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    static byte[] cut(byte[] b, int length) {
        return java.util.Arrays.copyOf(b, length);
    }

    static Packet decode(byte[] b, LinkType type) {
        Packet p = new Packet().wrap(b, 0, b.length, type, 1L);
        p.decode();
        return p;
    }
}
