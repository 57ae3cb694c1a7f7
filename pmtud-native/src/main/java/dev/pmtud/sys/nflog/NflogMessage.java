package dev.pmtud.sys.nflog;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.sys.netlink.AttributeReader;
import dev.pmtud.sys.netlink.Bytes;

/**
 * One NFULNL_MSG_PACKET, parsed in place: every attribute the kernel sends is found by offset in
 * the receive buffer, nothing is copied or allocated. Fields of absent attributes read as
 * {@code -1} offsets or the documented defaults. Reused for every message.
 */
public final class NflogMessage {
    private final int[] offs = new int[NFULA_MAX + 1];
    private final int[] lens = new int[NFULA_MAX + 1];
    private final AttributeReader nested = new AttributeReader();
    private byte[] buf;
    private int family;
    private int group;
    private boolean malformed;

    /**
     * Parses the message whose nfgenmsg starts at {@code nfgenOffset} and whose attributes run to
     * {@code nfgenOffset + length}.
     */
    public NflogMessage parse(byte[] buffer, int nfgenOffset, int length) {
        this.buf = buffer;
        if (length < NFGENMSG_LEN) {
            java.util.Arrays.fill(offs, -1);
            malformed = true;
            family = 0;
            group = -1;
            return this;
        }
        family = buffer[nfgenOffset] & 0xff;
        group = Bytes.beU16(buffer, nfgenOffset + 2);
        malformed = !AttributeReader.index(buffer, nfgenOffset + NFGENMSG_LEN, length - NFGENMSG_LEN, offs, lens);
        return this;
    }

    public byte[] buffer() {
        return buf;
    }

    /** Whether an attribute ran past the message (what came before it is usable). */
    public boolean malformed() {
        return malformed;
    }

    /** nfgen_family: AF_INET (2), AF_INET6 (10), AF_BRIDGE (7)... */
    public int family() {
        return family;
    }

    public int group() {
        return group;
    }

    public boolean has(int attribute) {
        return offs[attribute] >= 0;
    }

    public int offset(int attribute) {
        return offs[attribute];
    }

    public int length(int attribute) {
        return offs[attribute] >= 0 ? lens[attribute] : 0;
    }

    /** Whether {@code attribute} is present with a value of at least {@code minLength} bytes. */
    private boolean has(int attribute, int minLength) {
        return offs[attribute] >= 0 && lens[attribute] >= minLength;
    }

    private int be32(int attribute, int absent) {
        return has(attribute, 4) ? Bytes.beInt(buf, offs[attribute]) : absent;
    }

    private int be16(int attribute, int absent) {
        return has(attribute, 2) ? Bytes.beU16(buf, offs[attribute]) : absent;
    }

    /** PACKET_HDR hw_protocol (the ethertype, 0x0800 / 0x86dd), or -1. */
    public int hwProtocol() {
        return be16(NFULA_PACKET_HDR, -1);
    }

    /** PACKET_HDR hook (NF_INET_PRE_ROUTING = 0, ...), or -1. */
    public int hook() {
        return has(NFULA_PACKET_HDR, 3) ? buf[offs[NFULA_PACKET_HDR] + 2] & 0xff : -1;
    }

    public int mark() {
        return be32(NFULA_MARK, 0);
    }

    public boolean hasTimestamp() {
        return has(NFULA_TIMESTAMP, 16);
    }

    /** TIMESTAMP (be64 sec, be64 usec) as nanoseconds since the epoch; {@code absent} without it. */
    public long timestampNanos(long absent) {
        if (!hasTimestamp()) {
            return absent;
        }
        int o = offs[NFULA_TIMESTAMP];
        return Bytes.beLong(buf, o) * 1_000_000_000L + Bytes.beLong(buf, o + 8) * 1_000L;
    }

    public int inputInterface() {
        return be32(NFULA_IFINDEX_INDEV, 0);
    }

    public int outputInterface() {
        return be32(NFULA_IFINDEX_OUTDEV, 0);
    }

    public int physicalInputInterface() {
        return be32(NFULA_IFINDEX_PHYSINDEV, 0);
    }

    public int physicalOutputInterface() {
        return be32(NFULA_IFINDEX_PHYSOUTDEV, 0);
    }

    /** HWADDR hw_addrlen, 0 when absent. */
    public int hwAddressLength() {
        if (!has(NFULA_HWADDR, 4)) {
            return 0;
        }
        return Math.min(Bytes.beU16(buf, offs[NFULA_HWADDR]), lens[NFULA_HWADDR] - 4);
    }

    /** Offset of the hardware (source) address in the buffer; see {@link #hwAddressLength()}. */
    public int hwAddressOffset() {
        return offs[NFULA_HWADDR] + 4;
    }

    /** HWTYPE (ARPHRD_ETHER = 1), or -1. */
    public int hwType() {
        return be16(NFULA_HWTYPE, -1);
    }

    /** HWLEN, the link header length the kernel reported, or -1. */
    public int hwHeaderLengthField() {
        return be16(NFULA_HWLEN, -1);
    }

    public int hwHeaderOffset() {
        return offs[NFULA_HWHEADER];
    }

    public int hwHeaderLength() {
        return length(NFULA_HWHEADER);
    }

    public int payloadOffset() {
        return offs[NFULA_PAYLOAD];
    }

    public int payloadLength() {
        return length(NFULA_PAYLOAD);
    }

    public int prefixOffset() {
        return offs[NFULA_PREFIX];
    }

    public int prefixLength() {
        return length(NFULA_PREFIX);
    }

    public int uid() {
        return be32(NFULA_UID, -1);
    }

    public int gid() {
        return be32(NFULA_GID, -1);
    }

    public boolean hasSeq() {
        return has(NFULA_SEQ, 4);
    }

    /** The per-group sequence number (NFULNL_CFG_F_SEQ). */
    public int seq() {
        return be32(NFULA_SEQ, 0);
    }

    public boolean hasSeqGlobal() {
        return has(NFULA_SEQ_GLOBAL, 4);
    }

    public int seqGlobal() {
        return be32(NFULA_SEQ_GLOBAL, 0);
    }

    public int conntrackInfo() {
        return be32(NFULA_CT_INFO, -1);
    }

    public int conntrackOffset() {
        return offs[NFULA_CT];
    }

    public int conntrackLength() {
        return length(NFULA_CT);
    }

    /** VLAN TCI from the nested VLAN attribute, or -1. */
    public int vlanTci() {
        return vlanField(NFULA_VLAN_TCI);
    }

    /** VLAN protocol (0x8100 / 0x88a8) from the nested VLAN attribute, or -1. */
    public int vlanProtocol() {
        return vlanField(NFULA_VLAN_PROTO);
    }

    private int vlanField(int type) {
        int o = offs[NFULA_VLAN];
        if (o < 0) {
            return -1;
        }
        nested.reset(buf, o, lens[NFULA_VLAN]);
        while (nested.next()) {
            if (nested.type() == type && nested.valueLength() >= 2) {
                return nested.beU16();
            }
        }
        return -1;
    }

    public int l2HeaderOffset() {
        return offs[NFULA_L2HDR];
    }

    public int l2HeaderLength() {
        return length(NFULA_L2HDR);
    }
}
