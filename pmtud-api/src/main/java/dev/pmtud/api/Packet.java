package dev.pmtud.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A read-only view over one captured buffer plus what the source knows about it (capture time,
 * ingress interface, source MAC, NFLOG prefix and mark), decoded in place: no copy, no allocation.
 *
 * <p>A source owns one instance, {@link #wrap wraps} each buffer it reads into it, sets the
 * metadata it has, calls {@link #decode()} and hands it on. Everything downstream reads offsets into
 * {@link #buffer()}. The decoder never throws: a buffer pmtud cannot use is {@link #isValid() invalid}
 * with a fixed {@link #invalidReason() reason} from {@link InvalidReason}.
 *
 * <p>Valid means: an IPv4 ICMP type 3 code 4 ("fragmentation needed") or an ICMPv6 type 2 code 0
 * ("packet too big") message whose embedded original packet holds at least its IP header and four
 * transport bytes.
 */
public final class Packet {
    /** Linux {@code PACKET_*} values for {@link #packetType()}. */
    public static final int PACKET_TYPE_UNKNOWN = -1;
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;

    private static final long NO_MAC = -1L;

    // what the source set
    private byte[] buf = new byte[0];
    private int off;
    private int len;
    private LinkType linkType = LinkType.RAW;
    private long timestampNanos;
    private int ifIndex;
    private String ifName;
    private long sourceMac = NO_MAC;
    private int packetType = PACKET_TYPE_UNKNOWN;
    private int mark;
    private int hwHeaderOff = -1;
    private int hwHeaderLen;
    private int prefixOff = -1;
    private int prefixLen;
    private String prefix;

    // what decode() found
    private boolean decoded;
    private String invalidReason;
    private int l3Off;
    private int l3Len;
    private int ipVersion;
    private int icmpOff;
    private int icmpType;
    private int icmpCode;
    private long nextHopMtu;
    private int innerOff;
    private int innerProtocol;
    private int innerTransportOff;
    private boolean linkBroadcast;
    private int vlanTags;
    private int outerVlanId = -1;

    /**
     * Points this packet at a new buffer and clears all metadata and decode results.
     *
     * @param timestampNanos capture time, nanoseconds since the epoch (the clock of filters)
     */
    public Packet wrap(byte[] buffer, int offset, int length, LinkType type, long timestampNanos) {
        if (offset < 0 || length < 0 || offset + length > buffer.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " buffer " + buffer.length);
        }
        this.buf = buffer;
        this.off = offset;
        this.len = length;
        this.linkType = type;
        this.timestampNanos = timestampNanos;
        this.ifIndex = 0;
        this.ifName = null;
        this.sourceMac = NO_MAC;
        this.packetType = PACKET_TYPE_UNKNOWN;
        this.mark = 0;
        this.hwHeaderOff = -1;
        this.hwHeaderLen = 0;
        this.prefixOff = -1;
        this.prefixLen = 0;
        this.prefix = null;
        this.decoded = false;
        this.invalidReason = null;
        return this;
    }

    // ---- metadata a source may set ----

    public Packet ingress(int interfaceIndex, String interfaceName) {
        this.ifIndex = interfaceIndex;
        this.ifName = interfaceName;
        return this;
    }

    /** The sender's MAC from a source that knows it apart from the frame (NFLOG's HWADDR). */
    public Packet sourceMac(byte[] b, int o) {
        this.sourceMac = readMac(b, o);
        return this;
    }

    /** {@link #PACKET_HOST}, {@link #PACKET_BROADCAST}, ... as the kernel classified the frame. */
    public Packet packetType(int type) {
        this.packetType = type;
        return this;
    }

    public Packet mark(int value) {
        this.mark = value;
        return this;
    }

    /** The link-layer header the kernel saw (NFLOG HWHEADER), as a range of {@code b}. */
    public Packet hardwareHeader(byte[] b, int o, int length) {
        if (b != buf) {
            throw new IllegalArgumentException("the hardware header must lie in the packet's buffer");
        }
        this.hwHeaderOff = o;
        this.hwHeaderLen = length;
        return this;
    }

    /** The NFLOG prefix (text of {@code --nflog-prefix}), a NUL-terminated range of the buffer. */
    public Packet prefix(byte[] b, int o, int length) {
        if (b != buf) {
            throw new IllegalArgumentException("the prefix must lie in the packet's buffer");
        }
        int n = 0;
        while (n < length && b[o + n] != 0) {
            n++;
        }
        this.prefixOff = o;
        this.prefixLen = n;
        this.prefix = null;
        return this;
    }

    // ---- raw access ----

    /** The whole buffer. Read only: sinks and filters must never write into it. */
    public byte[] buffer() {
        return buf;
    }

    /** Where the captured bytes (link header included) start in {@link #buffer()}. */
    public int offset() {
        return off;
    }

    public int length() {
        return len;
    }

    public LinkType linkType() {
        return linkType;
    }

    public long timestampNanos() {
        return timestampNanos;
    }

    /** 0 when unknown. */
    public int interfaceIndex() {
        return ifIndex;
    }

    /** {@code null} when unknown. */
    public String interfaceName() {
        return ifName;
    }

    public boolean hasSourceMac() {
        return sourceMac != NO_MAC;
    }

    /** The source MAC as a 48-bit number (compare without allocating), or -1 when unknown. */
    public long sourceMac() {
        return sourceMac;
    }

    public int packetType() {
        return packetType;
    }

    /** Whether the frame reached this host as a link-layer broadcast (kernel type or Ethernet dst). */
    public boolean arrivedAsBroadcast() {
        decode(); // the Ethernet destination is read by decode(); before it, linkBroadcast is the last packet's
        return packetType == PACKET_BROADCAST || linkBroadcast;
    }

    public int mark() {
        return mark;
    }

    /** Offset of the hardware header in {@link #buffer()}, or -1 when the source gave none. */
    public int hardwareHeaderOffset() {
        return hwHeaderOff;
    }

    public int hardwareHeaderLength() {
        return hwHeaderLen;
    }

    /** The NFLOG prefix, or {@code null}. Allocates on the first call for this packet only. */
    public String prefix() {
        if (prefix == null && prefixOff >= 0) {
            prefix = new String(buf, prefixOff, prefixLen, java.nio.charset.StandardCharsets.UTF_8);
        }
        return prefix;
    }

    // ---- decoding ----

    /** Decodes the buffer in place. Idempotent; never throws. Returns {@link #isValid()}. */
    public boolean decode() {
        if (!decoded) {
            decoded = true;
            linkBroadcast = false;
            vlanTags = 0;
            outerVlanId = -1;
            invalidReason = decodeLink();
        }
        return invalidReason == null;
    }

    public boolean isValid() {
        return decode();
    }

    /** {@code null} for a valid packet, else one of {@link InvalidReason}. */
    public String invalidReason() {
        decode();
        return invalidReason;
    }

    private String decodeLink() {
        int p = off;
        int end = off + len;
        int etherType;
        if (linkType == null) {
            return InvalidReason.UNSUPPORTED_LINK_TYPE; // a switch on null would throw
        }
        switch (linkType) {
            case RAW:
            case IPV4:
            case IPV6:
                return decodeIp(p, end);
            case ETHERNET:
                if (len < 14) {
                    return InvalidReason.TRUNCATED_LINK_HEADER;
                }
                linkBroadcast = (buf[p] & buf[p + 1] & buf[p + 2] & buf[p + 3] & buf[p + 4] & buf[p + 5]) == (byte) 0xff;
                if (sourceMac == NO_MAC) {
                    sourceMac = readMac(buf, p + 6);
                }
                etherType = u16(p + 12);
                p += 14;
                break;
            case LINUX_SLL:
                if (len < 16) {
                    return InvalidReason.TRUNCATED_LINK_HEADER;
                }
                if (packetType == PACKET_TYPE_UNKNOWN) {
                    packetType = u16(p);
                }
                if (sourceMac == NO_MAC && u16(p + 2) == 1 && u16(p + 4) == 6) {
                    sourceMac = readMac(buf, p + 6);
                }
                etherType = u16(p + 14);
                p += 16;
                break;
            case LINUX_SLL2:
                if (len < 20) {
                    return InvalidReason.TRUNCATED_LINK_HEADER;
                }
                etherType = u16(p);
                if (ifIndex == 0) {
                    ifIndex = u16(p + 4) << 16 | u16(p + 6);
                }
                if (packetType == PACKET_TYPE_UNKNOWN) {
                    packetType = buf[p + 10] & 0xff;
                }
                if (sourceMac == NO_MAC && u16(p + 8) == 1 && (buf[p + 11] & 0xff) == 6) {
                    sourceMac = readMac(buf, p + 12);
                }
                p += 20;
                break;
            default:
                return InvalidReason.UNSUPPORTED_LINK_TYPE;
        }
        // 802.1Q (0x8100), 802.1ad (0x88a8) and the old QinQ 0x9100: at most two tags.
        while (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100) {
            if (vlanTags == 2) {
                return InvalidReason.TOO_MANY_VLAN_TAGS;
            }
            if (end - p < 4) {
                return InvalidReason.TRUNCATED_LINK_HEADER;
            }
            if (vlanTags == 0) {
                outerVlanId = u16(p) & 0x0fff;
            }
            vlanTags++;
            etherType = u16(p + 2);
            p += 4;
        }
        if (etherType != 0x0800 && etherType != 0x86dd) {
            return InvalidReason.NOT_IP;
        }
        return decodeIp(p, end);
    }

    private String decodeIp(int p, int end) {
        if (end - p < 1) {
            return InvalidReason.TRUNCATED_IP_HEADER;
        }
        int version = (buf[p] & 0xff) >>> 4;
        if (linkType == LinkType.IPV4 && version != 4 || linkType == LinkType.IPV6 && version != 6) {
            return InvalidReason.BAD_IP_VERSION;
        }
        l3Off = p;
        if (version == 4) {
            return decodeIpv4(p, end);
        } else if (version == 6) {
            return decodeIpv6(p, end);
        }
        return InvalidReason.BAD_IP_VERSION;
    }

    private String decodeIpv4(int p, int end) {
        ipVersion = 4;
        if (end - p < 20) {
            return InvalidReason.TRUNCATED_IP_HEADER;
        }
        int ihl = (buf[p] & 0x0f) * 4;
        if (ihl < 20) {
            return InvalidReason.BAD_IHL;
        }
        if (end - p < ihl) {
            return InvalidReason.TRUNCATED_IP_HEADER;
        }
        int totalLength = u16(p + 2);
        if (totalLength < ihl) {
            return InvalidReason.BAD_IP_LENGTH;
        }
        // Trust the shorter of the header's length and what was captured: trailing link padding
        // is not part of the packet, and a short capture still carries what pmtud needs.
        l3Len = Math.min(totalLength, end - p);
        if ((u16(p + 6) & 0x1fff) != 0) {
            return InvalidReason.IP_FRAGMENT;
        }
        if ((buf[p + 9] & 0xff) != 1) {
            return InvalidReason.NOT_ICMP;
        }
        int icmp = p + ihl;
        int l3End = p + l3Len;
        if (l3End - icmp < 8) {
            return InvalidReason.TRUNCATED_ICMP_HEADER;
        }
        icmpOff = icmp;
        icmpType = buf[icmp] & 0xff;
        icmpCode = buf[icmp + 1] & 0xff;
        if (icmpType != 3 || icmpCode != 4) {
            return InvalidReason.NOT_FRAG_NEEDED;
        }
        nextHopMtu = u16(icmp + 6);
        int inner = icmp + 8;
        if (l3End - inner < 1 || (buf[inner] & 0xff) >>> 4 != 4) {
            return l3End - inner < 1 ? InvalidReason.EMBEDDED_TOO_SHORT : InvalidReason.EMBEDDED_NOT_IP;
        }
        int innerIhl = (buf[inner] & 0x0f) * 4;
        if (innerIhl < 20) {
            return InvalidReason.EMBEDDED_BAD_IHL;
        }
        if (l3End - inner < innerIhl + 4) {
            return InvalidReason.EMBEDDED_TOO_SHORT;
        }
        innerOff = inner;
        innerProtocol = buf[inner + 9] & 0xff;
        innerTransportOff = inner + innerIhl;
        return null;
    }

    private String decodeIpv6(int p, int end) {
        ipVersion = 6;
        if (end - p < 40) {
            return InvalidReason.TRUNCATED_IP_HEADER;
        }
        int payloadLength = u16(p + 4);
        if (payloadLength == 0) {
            return InvalidReason.BAD_IP_LENGTH; // jumbograms never carry a packet-too-big
        }
        l3Len = Math.min(40 + payloadLength, end - p);
        int l3End = p + l3Len;
        int next = buf[p + 6] & 0xff;
        int q = p + 40;
        // Walk the extension headers a router may add; at most a handful, each bounded by l3End.
        for (int hops = 0; next != 58; hops++) {
            if (hops == 8) {
                return InvalidReason.NOT_ICMP;
            }
            if (next == 0 || next == 43 || next == 60) {
                if (l3End - q < 8) {
                    return InvalidReason.TRUNCATED_EXTENSION_HEADER;
                }
                int extLen = ((buf[q + 1] & 0xff) + 1) * 8;
                if (l3End - q < extLen) {
                    return InvalidReason.TRUNCATED_EXTENSION_HEADER;
                }
                next = buf[q] & 0xff;
                q += extLen;
            } else if (next == 44) {
                if (l3End - q < 8) {
                    return InvalidReason.TRUNCATED_EXTENSION_HEADER;
                }
                if ((u16(q + 2) & 0xfff8) != 0) {
                    return InvalidReason.IP_FRAGMENT;
                }
                next = buf[q] & 0xff;
                q += 8;
            } else {
                return InvalidReason.NOT_ICMP;
            }
        }
        if (l3End - q < 8) {
            return InvalidReason.TRUNCATED_ICMP_HEADER;
        }
        icmpOff = q;
        icmpType = buf[q] & 0xff;
        icmpCode = buf[q + 1] & 0xff;
        if (icmpType != 2 || icmpCode != 0) {
            return InvalidReason.NOT_PACKET_TOO_BIG;
        }
        nextHopMtu = ((long) u16(q + 4) << 16) | u16(q + 6);
        int inner = q + 8;
        if (l3End - inner < 1 || (buf[inner] & 0xff) >>> 4 != 6) {
            return l3End - inner < 1 ? InvalidReason.EMBEDDED_TOO_SHORT : InvalidReason.EMBEDDED_NOT_IP;
        }
        if (l3End - inner < 40 + 4) {
            return InvalidReason.EMBEDDED_TOO_SHORT;
        }
        innerOff = inner;
        innerProtocol = buf[inner + 6] & 0xff;
        innerTransportOff = inner + 40;
        return null;
    }

    // ---- decoded fields (meaningful for valid packets) ----

    /** 4 or 6 (0 when no IP header was found). */
    public int ipVersion() {
        decode();
        return ipVersion;
    }

    /** 4 for IPv4, 16 for IPv6: the length of every address of this packet. */
    public int addressLength() {
        return ipVersion() == 4 ? 4 : 16;
    }

    /** Where the outer IP header starts in {@link #buffer()}. */
    public int l3Offset() {
        decode();
        return l3Off;
    }

    /** Length of the outer IP packet (link padding excluded). */
    public int l3Length() {
        decode();
        return l3Len;
    }

    /** Where the ICMP / ICMPv6 header starts: what the l3 replication mode re-sends. */
    public int icmpOffset() {
        decode();
        return icmpOff;
    }

    /** Length of the ICMP message, from its header to the end of the IP packet. */
    public int icmpLength() {
        decode();
        return l3Off + l3Len - icmpOff;
    }

    public int icmpType() {
        decode();
        return icmpType;
    }

    public int icmpCode() {
        decode();
        return icmpCode;
    }

    /** The MTU the router reported: 16 bits for IPv4, 32 bits for IPv6. */
    public long nextHopMtu() {
        decode();
        return nextHopMtu;
    }

    public int outerSourceOffset() {
        return l3Offset() + (ipVersion == 4 ? 12 : 8);
    }

    public int outerDestinationOffset() {
        return l3Offset() + (ipVersion == 4 ? 16 : 24);
    }

    /** Where the embedded original packet's IP header starts. */
    public int innerOffset() {
        decode();
        return innerOff;
    }

    public int innerSourceOffset() {
        return innerOffset() + (ipVersion == 4 ? 12 : 8);
    }

    public int innerDestinationOffset() {
        return innerOffset() + (ipVersion == 4 ? 16 : 24);
    }

    /** The embedded packet's protocol (6 TCP, 17 UDP, ...). */
    public int innerProtocol() {
        decode();
        return innerProtocol;
    }

    /** Where the embedded packet's first four transport bytes start. */
    public int innerTransportOffset() {
        decode();
        return innerTransportOff;
    }

    /** The embedded packet's first four transport bytes as one number (both ports for TCP/UDP). */
    public int innerTransportWord() {
        int t = innerTransportOffset();
        return u16(t) << 16 | u16(t + 2);
    }

    public int innerSourcePort() {
        return u16(innerTransportOffset());
    }

    public int innerDestinationPort() {
        return u16(innerTransportOffset() + 2);
    }

    /** Number of VLAN tags in front of the IP header (0, 1 or 2). */
    public int vlanTags() {
        decode();
        return vlanTags;
    }

    /** The outer VLAN ID, or -1 without tags. */
    public int vlanId() {
        decode();
        return outerVlanId;
    }

    // ---- conveniences that allocate: for logs, tests and control paths, not per packet ----

    public InetAddress outerSource() {
        return address(outerSourceOffset());
    }

    public InetAddress outerDestination() {
        return address(outerDestinationOffset());
    }

    public InetAddress innerSource() {
        return address(innerSourceOffset());
    }

    public InetAddress innerDestination() {
        return address(innerDestinationOffset());
    }

    private InetAddress address(int at) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(buf, at, at + addressLength()));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy whose buffer holds only this packet's bytes, with the same metadata. */
    public Packet copy() {
        byte[] b = Arrays.copyOfRange(buf, off, off + len);
        Packet c = new Packet().wrap(b, 0, len, linkType, timestampNanos);
        c.ifIndex = ifIndex;
        c.ifName = ifName;
        c.sourceMac = sourceMac;
        c.packetType = packetType;
        c.mark = mark;
        c.prefix = prefix();
        return c;
    }

    /** The outer IP packet's bytes, copied. */
    public byte[] l3Bytes() {
        return Arrays.copyOfRange(buf, l3Offset(), l3Offset() + l3Length());
    }

    /** One line for logs: what it is and what it says. */
    public String describe() {
        if (!isValid()) {
            return "invalid (" + invalidReason + ")";
        }
        return (ipVersion == 4 ? "ICMP frag-needed" : "ICMPv6 packet-too-big")
                + " from " + Values.formatAddress(buf, outerSourceOffset(), addressLength())
                + " mtu " + nextHopMtu
                + " for " + protocolName(innerProtocol) + " "
                + hostPort(innerSource(), innerSourcePort()) + " -> " + hostPort(innerDestination(), innerDestinationPort());
    }

    private String hostPort(InetAddress a, int port) {
        String h = Values.formatAddress(a);
        boolean ports = innerProtocol == 6 || innerProtocol == 17 || innerProtocol == 132 || innerProtocol == 33;
        if (!ports) {
            return h;
        }
        return (ipVersion == 6 ? "[" + h + "]" : h) + ":" + port;
    }

    private static String protocolName(int p) {
        switch (p) {
            case 6: return "tcp";
            case 17: return "udp";
            case 132: return "sctp";
            case 1: return "icmp";
            case 58: return "icmpv6";
            default: return "proto-" + p;
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private int u16(int at) {
        return (buf[at] & 0xff) << 8 | (buf[at + 1] & 0xff);
    }

    private static long readMac(byte[] b, int o) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | (b[o + i] & 0xff);
        }
        return m;
    }

    /** Formats a 48-bit MAC number as {@code aa:bb:cc:dd:ee:ff}. */
    public static String formatMac(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int b = (int) (mac >>> (i * 8)) & 0xff;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
