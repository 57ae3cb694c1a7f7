package dev.pmtud.sys.netlink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Walks {@code struct nlattr} TLVs in place: {@code u16 len; u16 type; value; pad to 4}. Reads
 * values by offset without allocating (except {@link #string()}). A TLV whose length is short or
 * runs past the range ends the walk and sets {@link #malformed()}.
 */
public final class AttributeReader {
    private byte[] buf;
    private int next;
    private int end;
    private int attrOff = -1;
    private int attrLen;
    private boolean malformed;

    public AttributeReader reset(byte[] buffer, int offset, int length) {
        this.buf = buffer;
        this.next = offset;
        this.end = offset + length;
        this.attrOff = -1;
        this.attrLen = 0;
        this.malformed = false;
        return this;
    }

    public boolean next() {
        if (end - next < Netlink.NLA_HDRLEN) {
            return false;
        }
        int len = Bytes.hostU16(buf, next);
        if (len < Netlink.NLA_HDRLEN || len > end - next) {
            malformed = true;
            return false;
        }
        attrOff = next;
        attrLen = len;
        next += Netlink.align(len);
        return true;
    }

    public boolean malformed() {
        return malformed;
    }

    /** The buffer being walked (for values read by offset). */
    public byte[] buffer() {
        return buf;
    }

    /** The type without the NESTED / NET_BYTEORDER flags. */
    public int type() {
        return Bytes.hostU16(buf, attrOff + 2) & Netlink.NLA_TYPE_MASK;
    }

    public boolean isNested() {
        return (Bytes.hostU16(buf, attrOff + 2) & Netlink.NLA_F_NESTED) != 0;
    }

    public int valueOffset() {
        return attrOff + Netlink.NLA_HDRLEN;
    }

    public int valueLength() {
        return attrLen - Netlink.NLA_HDRLEN;
    }

    public int u8() {
        return buf[valueOffset()] & 0xff;
    }

    public int hostU16() {
        return Bytes.hostU16(buf, valueOffset());
    }

    public int hostU32() {
        return Bytes.hostInt(buf, valueOffset());
    }

    public int beU16() {
        return Bytes.beU16(buf, valueOffset());
    }

    public int beU32() {
        return Bytes.beInt(buf, valueOffset());
    }

    public long beU64() {
        return Bytes.beLong(buf, valueOffset());
    }

    /** The value up to its first NUL. Allocates. */
    public String string() {
        int o = valueOffset();
        int n = 0;
        while (n < valueLength() && buf[o + n] != 0) {
            n++;
        }
        return new String(buf, o, n, StandardCharsets.UTF_8);
    }

    /** Points {@code into} at this attribute's value, to walk a nested attribute. */
    public AttributeReader nested(AttributeReader into) {
        return into.reset(buf, valueOffset(), valueLength());
    }

    /**
     * Indexes the attributes in {@code [offset, offset+length)} by type, without allocating:
     * {@code valueOffsets[type]} is the value's offset (-1 when absent) and {@code valueLengths[type]}
     * its length. Types beyond the arrays are skipped; a repeated type keeps its last value.
     *
     * @return false when a TLV was malformed (what came before it is indexed)
     */
    public static boolean index(byte[] buffer, int offset, int length, int[] valueOffsets, int[] valueLengths) {
        Arrays.fill(valueOffsets, -1);
        int p = offset;
        int end = offset + length;
        while (end - p >= Netlink.NLA_HDRLEN) {
            int len = Bytes.hostU16(buffer, p);
            if (len < Netlink.NLA_HDRLEN || len > end - p) {
                return false;
            }
            int type = Bytes.hostU16(buffer, p + 2) & Netlink.NLA_TYPE_MASK;
            if (type < valueOffsets.length) {
                valueOffsets[type] = p + Netlink.NLA_HDRLEN;
                valueLengths[type] = len - Netlink.NLA_HDRLEN;
            }
            p += Netlink.align(len);
        }
        return true;
    }
}
