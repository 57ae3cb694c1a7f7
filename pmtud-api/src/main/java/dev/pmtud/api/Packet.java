package dev.pmtud.api;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * A read-only view over one captured buffer plus what the source knows about it (capture time,
 * ingress interface, source MAC, NFLOG prefix and mark), decoded in place: no copy, no allocation.
 *
 * <p>A source owns one instance; per message it {@link #wrap wraps} the buffer it read, sets the
 * metadata it has and hands the packet to its {@link PacketHandler}. The <em>runtime</em> then calls
 * {@link #decode()} once, before the loop guards and filters: an invalid packet is counted under its
 * {@link #invalidReason() reason} and never reaches a filter or sink. Filters and sinks read offsets
 * into {@link #buffer()}. Decoded accessors also decode on first use, so a packet read before the
 * runtime saw it (a test, a source checking its own input) answers the same. The parsing lives in
 * {@code PacketDecoder} (never throws, never allocates), the text for logs in {@code PacketFormat}.
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

    static final long NO_MAC = -1L;

    // What the source set. The decoder fills what the source left unset from the link header
    // (sourceMac, packetType, ifIndex), so those three are package-private.
    private byte[] buf = new byte[0];
    private int off;
    private int len;
    private LinkType linkType = LinkType.RAW;
    private long timestampNanos;
    int ifIndex;
    private String ifName;
    long sourceMac = NO_MAC;
    int packetType = PACKET_TYPE_UNKNOWN;
    private int mark;
    private int hwHeaderOff = -1;
    private int hwHeaderLen;
    private int prefixOff = -1;
    private int prefixLen;
    private String prefix;

    // What PacketDecoder found (meaningful once decoded; offsets into buf).
    private boolean decoded;
    private String invalidReason;
    int l3Off;
    int l3Len;
    int ipVersion;
    int icmpOff;
    int icmpType;
    int icmpCode;
    long nextHopMtu;
    int innerOff;
    int innerProtocol;
    int innerTransportOff;
    boolean linkBroadcast;
    int vlanTags;
    int outerVlanId = -1;

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
        this.sourceMac = PacketDecoder.mac(b, o);
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

    /**
     * Decodes the buffer in place (the runtime calls this before any filter). Idempotent until the
     * next {@link #wrap}; never throws, never allocates. Returns {@link #isValid()}.
     */
    public boolean decode() {
        if (!decoded) {
            decoded = true;
            invalidReason = PacketDecoder.decode(this);
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
        return PacketDecoder.u16(buf, t) << 16 | PacketDecoder.u16(buf, t + 2);
    }

    public int innerSourcePort() {
        return PacketDecoder.u16(buf, innerTransportOffset());
    }

    public int innerDestinationPort() {
        return PacketDecoder.u16(buf, innerTransportOffset() + 2);
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
        return PacketFormat.address(buf, outerSourceOffset(), addressLength());
    }

    public InetAddress outerDestination() {
        return PacketFormat.address(buf, outerDestinationOffset(), addressLength());
    }

    public InetAddress innerSource() {
        return PacketFormat.address(buf, innerSourceOffset(), addressLength());
    }

    public InetAddress innerDestination() {
        return PacketFormat.address(buf, innerDestinationOffset(), addressLength());
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

    /**
     * One line for logs: what it is and what it says, like {@code ICMP frag-needed from 203.0.113.1
     * mtu 1400 for tcp 192.0.2.10:443 -> 198.51.100.7:51000}, or {@code invalid (reason)}. Allocates.
     */
    public String describe() {
        return PacketFormat.describe(this);
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Formats a 48-bit MAC number as {@code aa:bb:cc:dd:ee:ff}. */
    public static String formatMac(long mac) {
        return PacketFormat.mac(mac);
    }
}
