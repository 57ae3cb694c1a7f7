package dev.pmtud.testkit;

import dev.pmtud.api.Values;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Builds ICMP "fragmentation needed" (IPv4 3/4) and ICMPv6 "packet too big" (2/0) messages as a
 * router would send them, with correct checksums, around an embedded original packet:
 * <pre>
 *   byte[] l3 = Ptb.v4().from("203.0.113.1").to("192.0.2.10").mtu(1400)
 *                  .tcp("192.0.2.10", 443, "198.51.100.7", 51000).build();
 * </pre>
 * Setters that break the message on purpose ({@link #type}, {@link #outerProtocol},
 * {@link #embeddedBytes}, {@link #embedded}) exist for decoder and filter tests; {@link #original()}
 * and {@link #icmpMessage()} give the parts, for tests that assemble a packet around them (IPv6
 * extension headers, one family's message quoting the other's packet).
 */
public final class Ptb {
    private final int version;
    private InetAddress from;
    private InetAddress to;
    private long mtu = 1400;
    private int type;
    private int code;
    private int ttl = 64;
    private int outerProtocol;
    private InetAddress innerSource;
    private InetAddress innerDestination;
    private int innerProtocol = 6;
    private int sourcePort = 443;
    private int destinationPort = 51000;
    private long sequence = 1;
    private int embeddedBytes = -1;
    private byte[] embedded;
    private int innerTotalLength = 9000;
    private int size = -1;

    private Ptb(int version) {
        this.version = version;
        this.type = version == 4 ? 3 : 2;
        this.code = version == 4 ? 4 : 0;
        this.outerProtocol = version == 4 ? 1 : 58;
        if (version == 4) {
            from("203.0.113.1").to("192.0.2.10").tcp("192.0.2.10", 443, "198.51.100.7", 51000);
        } else {
            from("2001:db8:ff::1").to("2001:db8:1::10").tcp("2001:db8:1::10", 443, "2001:db8:2::7", 51000);
        }
    }

    /** IPv4 ICMP type 3 code 4, with sensible documentation-range defaults. */
    public static Ptb v4() {
        return new Ptb(4);
    }

    /** ICMPv6 type 2 code 0, with sensible documentation-range defaults. */
    public static Ptb v6() {
        return new Ptb(6);
    }

    /** The router that reports the MTU (outer source). */
    public Ptb from(String address) {
        from = Values.parseAddress(address);
        return this;
    }

    /** The node that sent the too-big packet (outer destination, usually the service address). */
    public Ptb to(String address) {
        to = Values.parseAddress(address);
        return this;
    }

    public Ptb mtu(long value) {
        mtu = value;
        return this;
    }

    public Ptb ttl(int value) {
        ttl = value;
        return this;
    }

    public Ptb type(int t, int c) {
        type = t;
        code = c;
        return this;
    }

    public Ptb type(int t) {
        return type(t, code);
    }

    /** The outer IP protocol (1 or 58 normally); anything else makes a non-ICMP packet. */
    public Ptb outerProtocol(int protocol) {
        outerProtocol = protocol;
        return this;
    }

    /** The embedded original packet: a TCP segment from {@code src:sport} to {@code dst:dport}. */
    public Ptb tcp(String src, int sport, String dst, int dport) {
        return flow(6, src, sport, dst, dport);
    }

    public Ptb udp(String src, int sport, String dst, int dport) {
        return flow(17, src, sport, dst, dport);
    }

    public Ptb flow(int protocol, String src, int sport, String dst, int dport) {
        innerProtocol = protocol;
        innerSource = Values.parseAddress(src);
        innerDestination = Values.parseAddress(dst);
        sourcePort = sport;
        destinationPort = dport;
        return this;
    }

    /** The TCP sequence number of the embedded segment (dedup must ignore it). */
    public Ptb sequence(long value) {
        sequence = value;
        return this;
    }

    /** Cuts the embedded packet to this many bytes (default: IP header + 8 transport bytes). */
    public Ptb embeddedBytes(int n) {
        embeddedBytes = n;
        return this;
    }

    /**
     * Quotes these bytes as the embedded original packet instead of the one {@link #flow} describes
     * ({@link #embeddedBytes} still cuts them).
     */
    public Ptb embedded(byte[] packet) {
        embedded = packet.clone();
        return this;
    }

    /**
     * Makes the whole outer packet {@code l3Length} bytes long: the router quoted that much of the
     * original packet, whose payload continues with the bytes {@code 0, 1, 2, ...} (as a router
     * quoting a jumbo frame does; RFC 1812 wants at most 576 bytes in all).
     */
    public Ptb size(int l3Length) {
        size = l3Length;
        return this;
    }

    /** The embedded packet's own total length field (what was too big). */
    public Ptb innerLength(int n) {
        innerTotalLength = n;
        return this;
    }

    /** The outer IP packet. */
    public byte[] build() {
        byte[] icmp = icmpMessage();
        return version == 4 ? ipv4(from, to, outerProtocol, ttl, icmp, true) : ipv6(from, to, outerProtocol, ttl, icmp);
    }

    /**
     * The ICMP or ICMPv6 message alone: its 8-byte header and {@link #original()}. The checksum is
     * left zero ({@link #build()} fills it; an ICMPv6 checksum needs the IPv6 header).
     */
    public byte[] icmpMessage() {
        byte[] inner = original();
        byte[] icmp = new byte[8 + inner.length];
        icmp[0] = (byte) type;
        icmp[1] = (byte) code;
        if (version == 4) {
            icmp[6] = (byte) (mtu >>> 8);
            icmp[7] = (byte) mtu;
        } else {
            ByteBuffer.wrap(icmp, 4, 4).putInt((int) mtu);
        }
        System.arraycopy(inner, 0, icmp, 8, inner.length);
        return icmp;
    }

    /** The embedded original packet as the router quotes it: IP header + 8 transport bytes by default. */
    public byte[] original() {
        byte[] inner = embedded != null ? embedded.clone() : version == 4 ? innerV4() : innerV6();
        if (embeddedBytes >= 0 && embeddedBytes < inner.length) {
            inner = java.util.Arrays.copyOf(inner, embeddedBytes);
        }
        int quoted = size - (version == 4 ? 20 : 40) - 8;
        if (size >= 0 && quoted > inner.length) {
            int from = inner.length;
            inner = java.util.Arrays.copyOf(inner, quoted);
            for (int i = from; i < quoted; i++) {
                inner[i] = (byte) (i - from);
            }
        }
        return inner;
    }

    private byte[] transportBytes() {
        ByteBuffer t = ByteBuffer.allocate(8);
        t.putShort((short) sourcePort).putShort((short) destinationPort).putInt((int) sequence);
        return t.array();
    }

    private byte[] innerV4() {
        byte[] transport = transportBytes();
        byte[] ip = new byte[20 + transport.length];
        ByteBuffer b = ByteBuffer.wrap(ip);
        b.put((byte) 0x45).put((byte) 0).putShort((short) innerTotalLength).putShort((short) 0x1234)
                .putShort((short) 0x4000).put((byte) 63).put((byte) innerProtocol).putShort((short) 0)
                .put(innerSource.getAddress()).put(innerDestination.getAddress());
        b.putShort(10, (short) Checksums.internet(ip, 0, 20));
        System.arraycopy(transport, 0, ip, 20, transport.length);
        return ip;
    }

    private byte[] innerV6() {
        byte[] transport = transportBytes();
        byte[] ip = new byte[40 + transport.length];
        ByteBuffer b = ByteBuffer.wrap(ip);
        b.putInt(0x60000000).putShort((short) (innerTotalLength - 40)).put((byte) innerProtocol).put((byte) 63)
                .put(innerSource.getAddress()).put(innerDestination.getAddress());
        System.arraycopy(transport, 0, ip, 40, transport.length);
        return ip;
    }

    /** An IPv4 packet around {@code payload}; fills the ICMP checksum when asked. */
    public static byte[] ipv4(InetAddress src, InetAddress dst, int protocol, int ttl, byte[] payload, boolean icmpChecksum) {
        if (!(src instanceof Inet4Address) || !(dst instanceof Inet4Address)) {
            throw new IllegalArgumentException("IPv4 packets need IPv4 addresses");
        }
        byte[] p = new byte[20 + payload.length];
        ByteBuffer b = ByteBuffer.wrap(p);
        b.put((byte) 0x45).put((byte) 0xc0).putShort((short) p.length).putShort((short) 0).putShort((short) 0)
                .put((byte) ttl).put((byte) protocol).putShort((short) 0).put(src.getAddress()).put(dst.getAddress());
        b.putShort(10, (short) Checksums.internet(p, 0, 20));
        System.arraycopy(payload, 0, p, 20, payload.length);
        if (icmpChecksum && protocol == 1 && payload.length >= 4) {
            b.putShort(22, (short) 0);
            b.putShort(22, (short) Checksums.internet(p, 20, payload.length));
        }
        return p;
    }

    /**
     * An IPv6 packet whose {@code extensions} (whole extension headers, the first of type
     * {@code firstHeader}, the last naming ICMPv6, 58) precede the ICMPv6 message {@code icmp}
     * ({@link #icmpMessage()}), with the ICMPv6 checksum filled in.
     */
    public static byte[] ipv6(InetAddress src, InetAddress dst, int firstHeader, int hopLimit, byte[] extensions, byte[] icmp) {
        byte[] payload = new byte[extensions.length + icmp.length];
        System.arraycopy(extensions, 0, payload, 0, extensions.length);
        System.arraycopy(icmp, 0, payload, extensions.length, icmp.length);
        byte[] p = ipv6(src, dst, firstHeader, hopLimit, payload);
        int at = 40 + extensions.length;
        ByteBuffer b = ByteBuffer.wrap(p);
        b.putShort(at + 2, (short) 0);
        b.putShort(at + 2, (short) Checksums.icmpv6(p, 0, at));
        return p;
    }

    /** An IPv6 packet around {@code payload}; fills the ICMPv6 checksum when next header is 58. */
    public static byte[] ipv6(InetAddress src, InetAddress dst, int nextHeader, int hopLimit, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        ByteBuffer b = ByteBuffer.wrap(p);
        b.putInt(0x60000000).putShort((short) payload.length).put((byte) nextHeader).put((byte) hopLimit)
                .put(src.getAddress()).put(dst.getAddress());
        System.arraycopy(payload, 0, p, 40, payload.length);
        if (nextHeader == 58 && payload.length >= 4) {
            b.putShort(42, (short) 0);
            b.putShort(42, (short) Checksums.icmpv6(p, 0));
        }
        return p;
    }
}
