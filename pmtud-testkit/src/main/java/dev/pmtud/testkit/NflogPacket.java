package dev.pmtud.testkit;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.sys.netlink.Bytes;
import dev.pmtud.sys.netlink.NetlinkWriter;
import java.nio.charset.StandardCharsets;

/**
 * One NFULNL_MSG_PACKET as nfnetlink_log writes it (the attribute order of the kernel's
 * {@code __build_packet_message}), for tests and benchmarks of the nflog source: what a rule
 * {@code -j NFLOG} in PREROUTING sends for a frame that arrived on Ethernet.
 * <pre>
 *   NflogPacket.of(Ptb.v4().build()).seq(5).prefix("pmtud").hardware(peerMac, nodeMac).writeTo(w);
 * </pre>
 * Unset parts are left out, as the kernel leaves them out: no prefix, mark, hardware header,
 * timestamp, global sequence number or VLAN unless asked for.
 */
public final class NflogPacket {
    private final byte[] payload;
    private int family;
    private int group = 33;
    private int seq;
    private String prefix;
    private int inputInterface;
    private int mark;
    private byte[] sourceMac;
    private byte[] destinationMac;
    private long timestampSeconds = -1;
    private long timestampMicros;
    private long seqGlobal = -1;
    private int vlanProto = -1;
    private int vlanTci;
    private int unknownAttribute = -1;

    private NflogPacket(byte[] payload) {
        this.payload = payload;
        this.family = payload != null && payload.length > 0 && (payload[0] & 0xf0) == 0x60 ? 10 : 2;
    }

    /** A message carrying {@code ipPacket} (its version gives the family); {@code null}: no NFULA_PAYLOAD at all. */
    public static NflogPacket of(byte[] ipPacket) {
        return new NflogPacket(ipPacket);
    }

    /** nfgen_family: 2 (AF_INET), 10 (AF_INET6), or another to test what a source does with it. */
    public NflogPacket family(int f) {
        this.family = f;
        return this;
    }

    public NflogPacket group(int g) {
        this.group = g;
        return this;
    }

    /** NFULA_SEQ, the group's sequence number. */
    public NflogPacket seq(int s) {
        this.seq = s;
        return this;
    }

    /** NFULA_SEQ_GLOBAL. */
    public NflogPacket seqGlobal(int s) {
        this.seqGlobal = s & 0xffffffffL;
        return this;
    }

    /** The rule's {@code --nflog-prefix} (the kernel sends "" as a single NUL when the rule has none). */
    public NflogPacket prefix(String p) {
        this.prefix = p;
        return this;
    }

    /** NFULA_IFINDEX_INDEV. */
    public NflogPacket inputInterface(int index) {
        this.inputInterface = index;
        return this;
    }

    /** NFULA_MARK (the kernel sends it only when non-zero). */
    public NflogPacket mark(int m) {
        this.mark = m;
        return this;
    }

    /** NFULA_HWADDR (the sender's MAC), NFULA_HWTYPE 1, NFULA_HWLEN 14 and the Ethernet header as NFULA_HWHEADER. */
    public NflogPacket hardware(byte[] source, byte[] destination) {
        this.sourceMac = source.clone();
        this.destinationMac = destination.clone();
        return this;
    }

    /** NFULA_TIMESTAMP: be64 seconds, be64 microseconds. */
    public NflogPacket timestamp(long seconds, long micros) {
        this.timestampSeconds = seconds;
        this.timestampMicros = micros;
        return this;
    }

    /** The nested NFULA_VLAN with its protocol (0x8100) and TCI. */
    public NflogPacket vlan(int proto, int tci) {
        this.vlanProto = proto;
        this.vlanTci = tci;
        return this;
    }

    /** An attribute of a type a later kernel may add, which a parser must skip. */
    public NflogPacket unknownAttribute(int type) {
        this.unknownAttribute = type;
        return this;
    }

    /**
     * Appends the message to {@code w} (netlink header with seq 0 and no flags, as the kernel sends it).
     *
     * @return the offset in {@code w.array()} of the NFULA_SEQ value, for benchmarks that renumber
     */
    public int writeTo(NetlinkWriter w) {
        boolean v4 = family == 2;
        w.begin(nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET), 0, 0).nfgenmsg(family, NFNETLINK_V0, group);
        w.attr(NFULA_PACKET_HDR, new byte[] {(byte) (v4 ? 0x08 : 0x86), (byte) (v4 ? 0x00 : 0xdd), 0, 0});
        if (prefix != null) {
            byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
            w.attr(NFULA_PREFIX, java.util.Arrays.copyOf(p, p.length + 1));
        }
        if (inputInterface > 0) {
            w.attrBe32(NFULA_IFINDEX_INDEV, inputInterface);
        }
        if (mark != 0) {
            w.attrBe32(NFULA_MARK, mark);
        }
        if (sourceMac != null) {
            byte[] hw = new byte[12]; // struct nfulnl_msg_packet_hw: be16 hw_addrlen, u16 pad, u8 hw_addr[8]
            hw[1] = 6;
            System.arraycopy(sourceMac, 0, hw, 4, 6);
            w.attr(NFULA_HWADDR, hw);
            w.attrBe16(NFULA_HWTYPE, 1);
            w.attrBe16(NFULA_HWLEN, 14);
            byte[] header = new byte[14];
            System.arraycopy(destinationMac, 0, header, 0, 6);
            System.arraycopy(sourceMac, 0, header, 6, 6);
            header[12] = (byte) (v4 ? 0x08 : 0x86);
            header[13] = (byte) (v4 ? 0x00 : 0xdd);
            w.attr(NFULA_HWHEADER, header);
        }
        if (timestampSeconds >= 0) {
            byte[] ts = new byte[16];
            Bytes.putBeLong(ts, 0, timestampSeconds);
            Bytes.putBeLong(ts, 8, timestampMicros);
            w.attr(NFULA_TIMESTAMP, ts);
        }
        w.attrBe32(NFULA_SEQ, seq);
        int seqAt = w.length() - 4;
        if (seqGlobal >= 0) {
            w.attrBe32(NFULA_SEQ_GLOBAL, (int) seqGlobal);
        }
        if (vlanProto >= 0) {
            int vlan = w.beginNested(NFULA_VLAN);
            w.attrBe16(NFULA_VLAN_PROTO, vlanProto).attrBe16(NFULA_VLAN_TCI, vlanTci).endNested(vlan);
        }
        if (unknownAttribute >= 0) {
            w.attrBe32(unknownAttribute, 0);
        }
        if (payload != null) {
            w.attr(NFULA_PAYLOAD, payload);
        }
        w.end();
        return seqAt;
    }
}
