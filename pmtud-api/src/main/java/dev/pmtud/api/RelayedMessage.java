package dev.pmtud.api;

/**
 * What a sink sends of a message: never longer than the kernel that receives it needs. RFC 1812
 * (4.3.2.3) bounds an IPv4 ICMP error at {@value #IPV4_MAX} bytes and RFC 4443 (2.4 c) an ICMPv6
 * error at {@value #IPV6_MAX}, the IPv6 minimum MTU; a router that quoted a jumbo frame sends more,
 * and relayed whole that would go to every peer at its full size. A longer message is cut to the
 * bound (the quoted packet loses its tail, which no kernel reads) and gets the lengths and
 * checksums that go with its new length: the IPv4 total length and header checksum, or the IPv6
 * payload length, and the ICMP or ICMPv6 checksum. A message the source captured shorter than its
 * own header says (a small pcap snaplen) is made consistent the same way. A message that needs
 * none of it is not copied: the view is the packet's own bytes.
 *
 * <p>The cut never reaches into what a kernel reads to act on the message: the outer header, the
 * ICMP header and the quoted packet's IP header plus eight transport bytes stay, even behind
 * IPv6 extension headers so long that the bound cannot hold them.
 *
 * <p>A sink keeps one instance per sending thread and asks it per message, just before it copies
 * the bytes into its send buffer:
 * <pre>
 *   RelayedMessage m = relayed.ipPacket(packet);   // or icmpMessage(packet) behind a fresh header
 *   sendBuffer.put(0, m.buffer(), m.offset(), m.length());
 * </pre>
 * The view is valid until the next call. Nothing is allocated per message.
 */
public final class RelayedMessage {
    /** The longest IPv4 packet carrying an ICMP error a relay sends (RFC 1812, 4.3.2.3). */
    public static final int IPV4_MAX = 576;
    /** The longest IPv6 packet carrying an ICMPv6 error a relay sends (RFC 4443, 2.4 c). */
    public static final int IPV6_MAX = 1280;
    /** The header the kernel writes in front of an ICMP message sent on a raw ICMP socket (no options). */
    static final int IPV4_HEADER = 20;
    static final int IPV6_HEADER = 40;
    /** Transport bytes of the quoted packet a kernel reads (ports, TCP sequence). */
    private static final int QUOTED_TRANSPORT = 8;

    private final byte[] scratch = new byte[65535];
    private byte[] buffer = scratch;
    private int offset;
    private int length;
    private boolean truncated;

    /**
     * The outer IP packet (what the l2 modes, ipip and the udp relay send), at most
     * {@link #IPV4_MAX} / {@link #IPV6_MAX} bytes. {@code packet} must be valid.
     */
    public RelayedMessage ipPacket(Packet packet) {
        byte[] b = packet.buffer();
        int l3 = packet.l3Offset();
        int have = packet.l3Length();
        int icmp = packet.icmpOffset();
        boolean v4 = packet.ipVersion() == 4;
        int declared = v4 ? u16(b, l3 + 2) : IPV6_HEADER + u16(b, l3 + 4);
        int send = Math.min(have, Math.max(v4 ? IPV4_MAX : IPV6_MAX, needed(packet) - l3));
        if (send == declared) {
            return view(b, l3, send, false);
        }
        System.arraycopy(b, l3, scratch, 0, send);
        int icmpAt = icmp - l3;
        if (v4) {
            put16(scratch, 2, send);
            put16(scratch, 10, 0);
            put16(scratch, 10, InternetChecksum.fold(InternetChecksum.add(0, scratch, 0, icmpAt)));
        } else {
            put16(scratch, 4, send - IPV6_HEADER);
        }
        icmpChecksum(scratch, v4, 0, icmpAt, send - icmpAt);
        return view(scratch, 0, send, true);
    }

    /**
     * The ICMP or ICMPv6 message alone, as the l3 mode sends it behind a fresh header the kernel
     * writes: at most {@link #IPV4_MAX} / {@link #IPV6_MAX} bytes once that header is in front.
     * The ICMPv6 checksum is computed over the original addresses (the kernel's raw ICMPv6 socket
     * writes the real one). {@code packet} must be valid.
     */
    public RelayedMessage icmpMessage(Packet packet) {
        byte[] b = packet.buffer();
        int l3 = packet.l3Offset();
        int icmp = packet.icmpOffset();
        int have = packet.icmpLength();
        boolean v4 = packet.ipVersion() == 4;
        int declared = (v4 ? u16(b, l3 + 2) : IPV6_HEADER + u16(b, l3 + 4)) - (icmp - l3);
        int limit = v4 ? IPV4_MAX - IPV4_HEADER : IPV6_MAX - IPV6_HEADER;
        int send = Math.min(have, Math.max(limit, needed(packet) - icmp));
        if (send == declared) {
            return view(b, icmp, send, false);
        }
        System.arraycopy(b, icmp, scratch, 0, send);
        if (v4) {
            icmpChecksum(scratch, true, -1, 0, send);
        } else {
            // the pseudo-header's addresses stay the original packet's: take them from there
            put16(scratch, 2, 0);
            long sum = InternetChecksum.ipv6PseudoHeader(b, l3, send, 58);
            put16(scratch, 2, InternetChecksum.fold(InternetChecksum.add(sum, scratch, 0, send)));
        }
        return view(scratch, 0, send, true);
    }

    /** Where the bytes to send are: the packet's own buffer, or this instance's scratch when cut. */
    public byte[] buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** Whether the bytes were cut or their lengths and checksums rewritten (so they are a copy). */
    public boolean truncated() {
        return truncated;
    }

    /** The end (an offset in the packet's buffer) of what must never be cut: the quoted header and its transport bytes. */
    private static int needed(Packet packet) {
        return Math.min(packet.l3Offset() + packet.l3Length(), packet.innerTransportOffset() + QUOTED_TRANSPORT);
    }

    /** Rewrites the ICMP (v4) or ICMPv6 checksum of the message at {@code b[icmp, icmp + len)}; {@code ip}: the IPv6 header. */
    private static void icmpChecksum(byte[] b, boolean v4, int ip, int icmp, int len) {
        put16(b, icmp + 2, 0);
        long sum = v4 ? 0 : InternetChecksum.ipv6PseudoHeader(b, ip, len, 58);
        put16(b, icmp + 2, InternetChecksum.fold(InternetChecksum.add(sum, b, icmp, len)));
    }

    private RelayedMessage view(byte[] b, int off, int len, boolean cut) {
        buffer = b;
        offset = off;
        length = len;
        truncated = cut;
        return this;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static void put16(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }
}
