package dev.pmtud.testkit;

import java.nio.ByteBuffer;

/** Wraps an L3 packet in the link headers pmtud decodes: Ethernet (with VLAN tags), SLL, SLL2. */
public final class Frames {
    private Frames() {
    }

    public static final String BROADCAST = "ff:ff:ff:ff:ff:ff";

    /**
     * An Ethernet frame; each {@code tags} element adds a tag, outermost first, as
     * {@code tpid << 16 | tci} (use {@link #dot1q(int)} and {@link #dot1ad(int)}; the tag control
     * information is the priority and DEI bits above the 12-bit VLAN ID).
     */
    public static byte[] ethernet(String dstMac, String srcMac, byte[] l3, int... tags) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * tags.length + l3.length);
        b.put(mac(dstMac)).put(mac(srcMac));
        for (int tag : tags) {
            b.putShort((short) (tag >>> 16)).putShort((short) (tag & 0xffff));
        }
        b.putShort((short) etherType(l3)).put(l3);
        return b.array();
    }

    public static int dot1q(int vlanId) {
        return 0x8100 << 16 | vlanId & 0x0fff;
    }

    /** An 802.1Q tag with priority code point {@code priority} (0..7) in the bits above the VLAN ID. */
    public static int dot1q(int vlanId, int priority) {
        return dot1q(vlanId) | (priority & 7) << 13;
    }

    public static int dot1ad(int vlanId) {
        return 0x88a8 << 16 | vlanId & 0x0fff;
    }

    /** The pre-standard QinQ outer tag (TPID 0x9100) some switches still send. */
    public static int qinq(int vlanId) {
        return 0x9100 << 16 | vlanId & 0x0fff;
    }

    /** Linux cooked v1: packet type (0 host, 1 broadcast, ...), the sender's MAC, protocol. */
    public static byte[] sll(int packetType, String srcMac, byte[] l3) {
        ByteBuffer b = ByteBuffer.allocate(16 + l3.length);
        b.putShort((short) packetType).putShort((short) 1).putShort((short) 6).put(mac(srcMac)).putShort((short) 0)
                .putShort((short) etherType(l3)).put(l3);
        return b.array();
    }

    /** Linux cooked v2: protocol, interface index, packet type, the sender's MAC. */
    public static byte[] sll2(int ifIndex, int packetType, String srcMac, byte[] l3) {
        ByteBuffer b = ByteBuffer.allocate(20 + l3.length);
        b.putShort((short) etherType(l3)).putShort((short) 0).putInt(ifIndex).putShort((short) 1)
                .put((byte) packetType).put((byte) 6).put(mac(srcMac)).putShort((short) 0).put(l3);
        return b.array();
    }

    public static int etherType(byte[] l3) {
        return l3.length > 0 && (l3[0] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
    }

    public static byte[] mac(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC: " + text);
        }
        byte[] m = new byte[6];
        for (int i = 0; i < 6; i++) {
            m[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return m;
    }

    /** A MAC as the 48-bit number {@link dev.pmtud.api.Packet#sourceMac()} returns. */
    public static long macNumber(String text) {
        long n = 0;
        for (byte x : mac(text)) {
            n = n << 8 | (x & 0xff);
        }
        return n;
    }
}
