package dev.pmtud.sys.netlink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds netlink messages into a reusable byte[]: a header, a family header (nfgenmsg, ndmsg...),
 * then attributes, each padded to 4 bytes (NLA_ALIGN). Several messages may follow each other in one
 * buffer (a batch). Header fields are written in host order, {@code Be} attributes in network order.
 * <pre>
 *   w.reset().begin(nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG), NLM_F_REQUEST | NLM_F_ACK, seq)
 *    .nfgenmsg(AF_UNSPEC, NFNETLINK_V0, 33)
 *    .attr(NFULA_CFG_CMD, new byte[] {NFULNL_CFG_CMD_BIND})
 *    .end();
 * </pre>
 * Not thread-safe. Grows when a message does not fit (config messages are small).
 */
public final class NetlinkWriter {
    private byte[] buf;
    private int pos;
    private int msgStart = -1;

    public NetlinkWriter() {
        this(4096);
    }

    public NetlinkWriter(int capacity) {
        buf = new byte[capacity];
    }

    /** Forgets every message written so far. */
    public NetlinkWriter reset() {
        Arrays.fill(buf, 0, pos, (byte) 0);
        pos = 0;
        msgStart = -1;
        return this;
    }

    /** Starts a message: {@code struct nlmsghdr} with pid 0 (the kernel fills the sender's). */
    public NetlinkWriter begin(int type, int flags, int seq) {
        if (msgStart >= 0) {
            throw new IllegalStateException("end() the previous message first");
        }
        pos = Netlink.align(pos);
        msgStart = pos;
        ensure(Netlink.NLMSG_HDRLEN);
        Bytes.putHostInt(buf, pos, 0);
        Bytes.putHostU16(buf, pos + 4, type);
        Bytes.putHostU16(buf, pos + 6, flags);
        Bytes.putHostInt(buf, pos + 8, seq);
        Bytes.putHostInt(buf, pos + 12, 0);
        pos += Netlink.NLMSG_HDRLEN;
        return this;
    }

    /** {@code struct nfgenmsg}: family, version, res_id (big-endian; the NFLOG group). */
    public NetlinkWriter nfgenmsg(int family, int version, int resId) {
        ensure(Netlink.NFGENMSG_LEN);
        buf[pos] = (byte) family;
        buf[pos + 1] = (byte) version;
        Bytes.putBeU16(buf, pos + 2, resId);
        pos += Netlink.NFGENMSG_LEN;
        return this;
    }

    /**
     * Reserves {@code length} zeroed bytes (padded to 4) for a fixed family header such as
     * {@code struct ndmsg}; returns their offset in {@link #array()} for the caller to fill.
     */
    public int reserve(int length) {
        int aligned = Netlink.align(length);
        ensure(aligned);
        int at = pos;
        Arrays.fill(buf, at, at + aligned, (byte) 0);
        pos += aligned;
        return at;
    }

    public NetlinkWriter attr(int type, byte[] value) {
        return attr(type, value, 0, value.length);
    }

    public NetlinkWriter attr(int type, byte[] value, int off, int len) {
        int at = attrHeader(type, len);
        System.arraycopy(value, off, buf, at, len);
        return pad(len);
    }

    public NetlinkWriter attrEmpty(int type) {
        attrHeader(type, 0);
        return this;
    }

    public NetlinkWriter attrU8(int type, int value) {
        int at = attrHeader(type, 1);
        buf[at] = (byte) value;
        return pad(1);
    }

    public NetlinkWriter attrU16(int type, int value) {
        int at = attrHeader(type, 2);
        Bytes.putHostU16(buf, at, value);
        return pad(2);
    }

    public NetlinkWriter attrU32(int type, int value) {
        int at = attrHeader(type, 4);
        Bytes.putHostInt(buf, at, value);
        return pad(4);
    }

    public NetlinkWriter attrBe16(int type, int value) {
        int at = attrHeader(type, 2);
        Bytes.putBeU16(buf, at, value);
        return pad(2);
    }

    public NetlinkWriter attrBe32(int type, int value) {
        int at = attrHeader(type, 4);
        Bytes.putBeInt(buf, at, value);
        return pad(4);
    }

    public NetlinkWriter attrBe64(int type, long value) {
        int at = attrHeader(type, 8);
        Bytes.putBeLong(buf, at, value);
        return pad(8);
    }

    /** A NUL-terminated string attribute (NLA_NUL_STRING / NLA_STRING as the kernel expects). */
    public NetlinkWriter attrString(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        int at = attrHeader(type, b.length + 1);
        System.arraycopy(b, 0, buf, at, b.length);
        buf[at + b.length] = 0;
        return pad(b.length + 1);
    }

    /** Opens a nested attribute (NLA_F_NESTED set); returns the token for {@link #endNested}. */
    public int beginNested(int type) {
        int start = pos;
        attrHeader(type | Netlink.NLA_F_NESTED, 0);
        return start;
    }

    public NetlinkWriter endNested(int token) {
        Bytes.putHostU16(buf, token, pos - token);
        return this;
    }

    /** Finishes the current message: writes nlmsg_len. */
    public NetlinkWriter end() {
        if (msgStart < 0) {
            throw new IllegalStateException("begin() a message first");
        }
        Bytes.putHostInt(buf, msgStart, pos - msgStart);
        msgStart = -1;
        return this;
    }

    /** The backing array; bytes {@code [0, length())} are the messages. */
    public byte[] array() {
        return buf;
    }

    public int length() {
        return pos;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    private int attrHeader(int type, int valueLength) {
        ensure(Netlink.NLA_HDRLEN + Netlink.align(valueLength));
        Bytes.putHostU16(buf, pos, Netlink.NLA_HDRLEN + valueLength);
        Bytes.putHostU16(buf, pos + 2, type);
        pos += Netlink.NLA_HDRLEN;
        return pos;
    }

    private NetlinkWriter pad(int valueLength) {
        int aligned = Netlink.align(valueLength);
        Arrays.fill(buf, pos + valueLength, pos + aligned, (byte) 0);
        pos += aligned;
        return this;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more + 64));
        }
    }
}
