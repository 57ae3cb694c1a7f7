package dev.pmtud.api;

import static dev.pmtud.testkit.Frames.macNumber;
import static org.junit.jupiter.api.Assertions.*;

import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Ptb;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The decoder on crafted packets: every link type, every field, every invalid reason. It lives in
 * the testkit's tests because it builds its input with the testkit's {@link Ptb} and {@link Frames}
 * (pmtud-api cannot depend on the testkit, which depends on it).
 */
class PacketDecoderTest {
    static final String ROUTER4 = "203.0.113.1";
    static final String VIP4 = "192.0.2.10";
    static final String CLIENT4 = "198.51.100.7";
    static final String ROUTER6 = "2001:db8:ff::1";
    static final String VIP6 = "2001:db8:1::10";
    static final String CLIENT6 = "2001:db8:2::7";
    private static final String SRC_MAC = "02:00:5e:10:00:01";
    private static final String DST_MAC = "02:00:5e:10:00:02";

    /** A valid ICMP 3/4: router -> VIP, quoting TCP VIP:443 -> client:51000. */
    static byte[] ptb4(int mtu) {
        return Ptb.v4().from(ROUTER4).to(VIP4).mtu(mtu).tcp(VIP4, 443, CLIENT4, 51000).build();
    }

    /** A valid ICMPv6 2/0 quoting UDP VIP:53 -> client:40000. */
    static byte[] ptb6(long mtu) {
        return Ptb.v6().from(ROUTER6).to(VIP6).mtu(mtu).udp(VIP6, 53, CLIENT6, 40000).build();
    }

    /** An IPv4 packet (IHL 5) around {@code payload}, for inputs that are not a PTB at all. */
    static byte[] ipv4(String src, String dst, int protocol, byte[] payload) {
        return Ptb.ipv4(inet(src), inet(dst), protocol, 64, payload, false);
    }

    /** An IPv6 packet around {@code payload}: what follows the fixed header is up to the test. */
    static byte[] ipv6(String src, String dst, int nextHeader, byte[] payload) {
        return Ptb.ipv6(inet(src), inet(dst), nextHeader, 64, payload);
    }

    static InetAddress inet(String literal) {
        return Values.parseAddress(literal);
    }

    static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    static byte[] cut(byte[] b, int length) {
        return Arrays.copyOf(b, length);
    }

    static Packet decode(byte[] b, LinkType type) {
        Packet p = new Packet().wrap(b, 0, b.length, type, 1L);
        p.decode();
        return p;
    }

    /** Asserts the fields of {@link #ptb4} whose l3 starts at {@code l3Offset}. */
    private static void assertPtb4(Packet p, int l3Offset, int mtu) {
        assertTrue(p.isValid(), () -> "invalid: " + p.invalidReason());
        assertNull(p.invalidReason());
        assertEquals(4, p.ipVersion());
        assertEquals(4, p.addressLength());
        assertEquals(l3Offset, p.l3Offset());
        assertEquals(ptb4(mtu).length, p.l3Length());
        assertEquals(l3Offset + 20, p.icmpOffset());
        assertEquals(ptb4(mtu).length - 20, p.icmpLength());
        assertEquals(inet(ROUTER4), p.outerSource());
        assertEquals(inet(VIP4), p.outerDestination());
        assertEquals(3, p.icmpType());
        assertEquals(4, p.icmpCode());
        assertEquals(mtu, p.nextHopMtu());
        assertEquals(l3Offset + 28, p.innerOffset());
        assertEquals(inet(VIP4), p.innerSource());
        assertEquals(inet(CLIENT4), p.innerDestination());
        assertEquals(6, p.innerProtocol());
        assertEquals(443, p.innerSourcePort());
        assertEquals(51000, p.innerDestinationPort());
        assertEquals(443 << 16 | 51000, p.innerTransportWord());
        assertEquals(l3Offset + 48, p.innerTransportOffset());
        assertArrayEquals(ptb4(mtu), p.l3Bytes());
    }

    private static void assertPtb6(Packet p, int l3Offset, long mtu) {
        assertTrue(p.isValid(), () -> "invalid: " + p.invalidReason());
        assertEquals(6, p.ipVersion());
        assertEquals(16, p.addressLength());
        assertEquals(l3Offset, p.l3Offset());
        assertEquals(ptb6(mtu).length, p.l3Length());
        assertEquals(l3Offset + 40, p.icmpOffset());
        assertEquals(inet(ROUTER6), p.outerSource());
        assertEquals(inet(VIP6), p.outerDestination());
        assertEquals(2, p.icmpType());
        assertEquals(0, p.icmpCode());
        assertEquals(mtu, p.nextHopMtu());
        assertEquals(inet(VIP6), p.innerSource());
        assertEquals(inet(CLIENT6), p.innerDestination());
        assertEquals(17, p.innerProtocol());
        assertEquals(53, p.innerSourcePort());
        assertEquals(40000, p.innerDestinationPort());
        assertArrayEquals(ptb6(mtu), p.l3Bytes());
    }

    // ---- valid, per link type ----

    @Test
    void rawIpv4() {
        Packet p = decode(ptb4(1400), LinkType.RAW);
        assertPtb4(p, 0, 1400);
        assertFalse(p.hasSourceMac());
        assertEquals(-1L, p.sourceMac());
        assertFalse(p.arrivedAsBroadcast());
        assertEquals(0, p.vlanTags());
        assertEquals(-1, p.vlanId());
    }

    @Test
    void rawIpv6() {
        assertPtb6(decode(ptb6(1280), LinkType.RAW), 0, 1280);
    }

    @Test
    void ipv4AndIpv6LinkTypes() {
        assertPtb4(decode(ptb4(576), LinkType.IPV4), 0, 576);
        assertPtb6(decode(ptb6(1500), LinkType.IPV6), 0, 1500);
    }

    @Test
    void mtuIs16BitsForIpv4And32BitsForIpv6() {
        assertEquals(65535, decode(ptb4(65535), LinkType.RAW).nextHopMtu());
        assertEquals(70000, decode(ptb6(70000), LinkType.RAW).nextHopMtu());
        assertEquals(0xffffffffL, decode(ptb6(0xffffffffL), LinkType.RAW).nextHopMtu());
    }

    @Test
    void ethernet() {
        Packet p = decode(Frames.ethernet(DST_MAC, SRC_MAC, ptb4(1400)), LinkType.ETHERNET);
        assertPtb4(p, 14, 1400);
        assertTrue(p.hasSourceMac());
        assertEquals(macNumber(SRC_MAC), p.sourceMac());
        assertEquals(SRC_MAC, Packet.formatMac(p.sourceMac()));
        assertFalse(p.arrivedAsBroadcast());
        assertEquals(0, p.vlanTags());

        Packet v6 = decode(Frames.ethernet(DST_MAC, SRC_MAC, ptb6(1400)), LinkType.ETHERNET);
        assertPtb6(v6, 14, 1400);
    }

    @Test
    void ethernetBroadcastIsDetected() {
        Packet p = decode(Frames.ethernet("ff:ff:ff:ff:ff:ff", SRC_MAC, ptb4(1400)), LinkType.ETHERNET);
        assertTrue(p.isValid());
        assertTrue(p.arrivedAsBroadcast());
        // a multicast or almost-broadcast destination is not a broadcast
        assertFalse(decode(Frames.ethernet("ff:ff:ff:ff:ff:fe", SRC_MAC, ptb4(1400)), LinkType.ETHERNET).arrivedAsBroadcast());
        assertFalse(decode(Frames.ethernet("33:33:00:00:00:01", SRC_MAC, ptb6(1400)), LinkType.ETHERNET).arrivedAsBroadcast());
    }

    @Test
    void broadcastFlagDoesNotLeakIntoTheNextPacket() {
        Packet p = new Packet();
        byte[] bcast = Frames.ethernet("ff:ff:ff:ff:ff:ff", SRC_MAC, ptb4(1400));
        p.wrap(bcast, 0, bcast.length, LinkType.ETHERNET, 1).decode();
        assertTrue(p.arrivedAsBroadcast());
        byte[] unicast = Frames.ethernet(DST_MAC, SRC_MAC, ptb4(1400));
        p.wrap(unicast, 0, unicast.length, LinkType.ETHERNET, 2);
        assertFalse(p.arrivedAsBroadcast(), "asked before decode(): must describe this frame, not the last");
    }

    @Test
    void kernelPacketTypeBroadcastCounts() {
        byte[] raw = ptb4(1400);
        Packet p = new Packet().wrap(raw, 0, raw.length, LinkType.RAW, 1).packetType(Packet.PACKET_BROADCAST);
        assertTrue(p.arrivedAsBroadcast());
    }

    @Test
    void singleDot1qTag() {
        Packet p = decode(Frames.ethernet(DST_MAC, SRC_MAC, ptb4(1400), Frames.dot1q(100)), LinkType.ETHERNET);
        assertPtb4(p, 18, 1400);
        assertEquals(1, p.vlanTags());
        assertEquals(100, p.vlanId());
        assertEquals(macNumber(SRC_MAC), p.sourceMac());
    }

    @Test
    void priorityBitsAreNotPartOfTheVlanId() {
        Packet p = decode(Frames.ethernet(DST_MAC, SRC_MAC, ptb6(1400), Frames.dot1q(4094, 7)), LinkType.ETHERNET);
        assertPtb6(p, 18, 1400);
        assertEquals(4094, p.vlanId());
    }

    @Test
    void doubleTag8021adThen8021q() {
        Packet p = decode(Frames.ethernet(DST_MAC, SRC_MAC, ptb6(1400), Frames.dot1ad(200), Frames.dot1q(300)),
                LinkType.ETHERNET);
        assertPtb6(p, 22, 1400);
        assertEquals(2, p.vlanTags());
        assertEquals(200, p.vlanId(), "the outer tag's id");
        Packet q = decode(Frames.ethernet(DST_MAC, SRC_MAC, ptb4(1400), Frames.qinq(5), Frames.dot1q(6)), LinkType.ETHERNET);
        assertPtb4(q, 22, 1400);
    }

    @Test
    void threeTagsAreInvalid() {
        Packet p = decode(Frames.ethernet(DST_MAC, SRC_MAC, ptb4(1400), Frames.dot1ad(1), Frames.dot1q(2), Frames.dot1q(3)),
                LinkType.ETHERNET);
        assertFalse(p.isValid());
        assertEquals(InvalidReason.TOO_MANY_VLAN_TAGS, p.invalidReason());
    }

    @Test
    void linuxCookedV1() {
        Packet p = decode(Frames.sll(Packet.PACKET_HOST, SRC_MAC, ptb4(1400)), LinkType.LINUX_SLL);
        assertPtb4(p, 16, 1400);
        assertEquals(macNumber(SRC_MAC), p.sourceMac());
        assertEquals(Packet.PACKET_HOST, p.packetType());
        assertFalse(p.arrivedAsBroadcast());

        Packet b = decode(Frames.sll(Packet.PACKET_BROADCAST, SRC_MAC, ptb6(1400)), LinkType.LINUX_SLL);
        assertPtb6(b, 16, 1400);
        assertTrue(b.arrivedAsBroadcast());
    }

    @Test
    void linuxCookedV2() {
        Packet p = decode(Frames.sll2(7, Packet.PACKET_HOST, SRC_MAC, ptb6(1400)), LinkType.LINUX_SLL2);
        assertPtb6(p, 20, 1400);
        assertEquals(7, p.interfaceIndex());
        assertEquals(macNumber(SRC_MAC), p.sourceMac());
        assertEquals(Packet.PACKET_HOST, p.packetType());

        Packet b = decode(Frames.sll2(70000, Packet.PACKET_BROADCAST, SRC_MAC, ptb4(1400)), LinkType.LINUX_SLL2);
        assertPtb4(b, 20, 1400);
        assertEquals(70000, b.interfaceIndex(), "32-bit interface index");
        assertTrue(b.arrivedAsBroadcast());
    }

    @Test
    void sourceSetMetadataWinsOverTheHeader() {
        byte[] f = Frames.sll2(7, Packet.PACKET_BROADCAST, SRC_MAC, ptb4(1400));
        byte[] other = Frames.mac("02:00:00:00:00:99");
        byte[] buf = concat(f, other);
        Packet p = new Packet().wrap(buf, 0, f.length, LinkType.LINUX_SLL2, 5)
                .ingress(3, "eth3").packetType(Packet.PACKET_HOST).sourceMac(buf, f.length);
        assertTrue(p.decode());
        assertEquals(3, p.interfaceIndex());
        assertEquals("eth3", p.interfaceName());
        assertEquals(Packet.PACKET_HOST, p.packetType());
        assertEquals(macNumber("02:00:00:00:00:99"), p.sourceMac());
        assertEquals(f.length, p.length(), "the metadata bytes after the frame are not part of it");
    }

    @Test
    void packetAtAnOffsetInsideALargerBuffer() {
        byte[] frame = Frames.ethernet(DST_MAC, SRC_MAC, ptb4(1400));
        byte[] buf = new byte[frame.length + 100];
        Arrays.fill(buf, (byte) 0x55);
        System.arraycopy(frame, 0, buf, 37, frame.length);
        Packet p = new Packet().wrap(buf, 37, frame.length, LinkType.ETHERNET, 9);
        assertPtb4(p, 37 + 14, 1400);
        assertEquals(37, p.offset());
        assertEquals(9, p.timestampNanos());
    }

    @Test
    void ethernetPaddingIsNotPartOfTheIpPacket() {
        byte[] l3 = ptb4(1400);
        byte[] padded = concat(Frames.ethernet(DST_MAC, SRC_MAC, l3), new byte[6]);
        Packet p = decode(padded, LinkType.ETHERNET);
        assertPtb4(p, 14, 1400);
    }

    @Test
    void shortCaptureStillCarryingEnoughIsValid() {
        // a router quotes only IP header + 8 bytes, but the total length claims more than was captured
        byte[] l3 = ptb4(1400);
        ByteBuffer.wrap(l3).putShort(2, (short) 1500);
        Packet p = decode(l3, LinkType.RAW);
        assertTrue(p.isValid());
        assertEquals(l3.length, p.l3Length());
    }

    /** An IPv6 PTB behind {@code extensions} (the first of type {@code first}), its checksum right. */
    static byte[] ptb6Behind(int first, byte[]... extensions) {
        byte[] icmp = Ptb.v6().mtu(1400).tcp(VIP6, 443, CLIENT6, 51000).icmpMessage();
        return Ptb.ipv6(inet(ROUTER6), inet(VIP6), first, 64, concat(extensions), icmp);
    }

    @Test
    void hopByHopBeforeIcmpv6IsWalked() {
        byte[] hbh = {58, 0, 5, 2, 0, 0, 1, 0}; // next = ICMPv6, length 8, router alert + PadN
        Packet p = decode(ptb6Behind(0, hbh), LinkType.RAW);
        assertTrue(p.isValid(), () -> p.invalidReason());
        assertEquals(48, p.icmpOffset());
        assertEquals(1400, p.nextHopMtu());
        assertEquals(443, p.innerSourcePort());
    }

    @Test
    void destinationOptionsAndRoutingAreWalked() {
        byte[] dst = {43, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; // dest opts, 16 bytes, next routing
        byte[] rt = {58, 0, 0, 0, 0, 0, 0, 0}; // routing, next ICMPv6
        Packet p = decode(ptb6Behind(60, dst, rt), LinkType.RAW);
        assertTrue(p.isValid(), () -> p.invalidReason());
        assertEquals(40 + 16 + 8, p.icmpOffset());
        assertEquals(1400, p.nextHopMtu());
    }

    @Test
    void everyFragmentIsRefusedTheFirstOneToo() {
        byte[] dst = {44, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; // dest opts, next fragment
        byte[] first6 = {58, 0, 0, 1, 0, 0, 0, 1}; // offset 0, M=1: a first fragment
        byte[] atomic6 = {58, 0, 0, 0, 0, 0, 0, 1}; // offset 0, M=0: an atomic fragment (RFC 8021)
        assertEquals(InvalidReason.IP_FRAGMENT, decode(ptb6Behind(44, first6), LinkType.RAW).invalidReason());
        assertEquals(InvalidReason.IP_FRAGMENT, decode(ptb6Behind(44, atomic6), LinkType.RAW).invalidReason());
        assertEquals(InvalidReason.IP_FRAGMENT, decode(ptb6Behind(60, dst, first6), LinkType.RAW).invalidReason());
        // IPv4: more-fragments set at offset 0 (what a capture rule lets through of a fragmented message)
        assertEquals(InvalidReason.IP_FRAGMENT, decode(withShort(ptb4(1400), 6, 0x2000), LinkType.RAW).invalidReason());
        assertEquals(InvalidReason.IP_FRAGMENT, decode(withShort(ptb4(1400), 6, 0x6000), LinkType.RAW).invalidReason(),
                "DF and MF together");
        // don't-fragment alone is no fragment
        assertTrue(decode(withShort(ptb4(1400), 6, 0x4000), LinkType.RAW).isValid());
    }

    @Test
    void ipv6MtuBelow1280IsRefusedAndExactly1280Kept() {
        assertEquals(InvalidReason.MTU_BELOW_IPV6_MINIMUM, decode(ptb6(1279), LinkType.RAW).invalidReason());
        assertEquals(InvalidReason.MTU_BELOW_IPV6_MINIMUM, decode(ptb6(0), LinkType.RAW).invalidReason());
        assertTrue(decode(ptb6(1280), LinkType.RAW).isValid());
        // an IPv4 MTU that small is the mtu-range filter's business, not the decoder's
        assertTrue(decode(ptb4(576), LinkType.RAW).isValid());
    }

    @Test
    void badChecksumIsRefusedInEveryPartTheChecksumCovers() {
        byte[] v4 = ptb4(1400);
        byte[] v6 = ptb6(1400);
        for (int at = 20; at < v4.length; at++) { // every ICMP byte: header, MTU, the quoted packet
            byte[] bad = v4.clone();
            bad[at] ^= 0x10;
            String why = decode(bad, LinkType.RAW).invalidReason();
            assertNotNull(why, "byte " + at + " changed");
        }
        assertEquals(InvalidReason.BAD_ICMP_CHECKSUM, decode(withShort(v4, 22, 0x1234), LinkType.RAW).invalidReason());
        assertEquals(InvalidReason.BAD_ICMP_CHECKSUM, decode(withByte(v4, v4.length - 1, v4[v4.length - 1] + 1), LinkType.RAW)
                .invalidReason(), "the last quoted byte");
        assertEquals(InvalidReason.BAD_ICMP_CHECKSUM, decode(withByte(v6, v6.length - 1, v6[v6.length - 1] + 1), LinkType.RAW)
                .invalidReason());
        // ICMPv6 covers the pseudo-header: another source address breaks it, the hop limit does not
        assertEquals(InvalidReason.BAD_ICMP_CHECKSUM, decode(withByte(v6, 8 + 15, 7), LinkType.RAW).invalidReason());
        assertTrue(decode(withByte(v6, 7, 1), LinkType.RAW).isValid());
        // ICMP (IPv4) does not: the outer header's TTL and addresses are outside it
        assertTrue(decode(withByte(withByte(v4, 8, 1), 15, 99), LinkType.RAW).isValid());
        // a checksum behind extension headers covers only the ICMPv6 message's length
        byte[] hbh = ptb6Behind(0, new byte[] {58, 0, 1, 4, 0, 0, 0, 0});
        assertTrue(decode(hbh, LinkType.RAW).isValid());
        assertEquals(InvalidReason.BAD_ICMP_CHECKSUM, decode(withByte(hbh, 60, 7), LinkType.RAW).invalidReason());
    }

    @Test
    void aShortCaptureCannotBeCheckedAndIsKept() {
        // pcap's snaplen cut the packet: the fields are there, the checksum cannot be verified
        byte[] v4 = Ptb.v4().embeddedBytes(28).build();
        Packet p = decode(cut(v4, v4.length - 4), LinkType.RAW);
        assertTrue(p.isValid(), () -> p.invalidReason());
        byte[] v6 = ptb6(1400);
        assertTrue(decode(cut(v6, v6.length - 2), LinkType.RAW).isValid());
    }

    @Test
    void describeNamesTheMessage() {
        String d = decode(ptb4(1400), LinkType.RAW).describe();
        assertTrue(d.contains(ROUTER4) && d.contains("1400") && d.contains(VIP4 + ":443") && d.contains(CLIENT4 + ":51000"), d);
        String d6 = decode(ptb6(1280), LinkType.RAW).describe();
        assertTrue(d6.contains("[" + Values.formatAddress(inet(VIP6)) + "]:53") && d6.contains("udp") && !d6.contains(":0:0:"), d6);
        assertTrue(decode(new byte[0], LinkType.RAW).describe().contains(InvalidReason.TRUNCATED_IP_HEADER));
    }

    @Test
    void copyKeepsBytesAndMetadata() {
        byte[] f = Frames.ethernet(DST_MAC, SRC_MAC, ptb4(1400));
        byte[] buf = concat(new byte[5], f);
        Packet p = new Packet().wrap(buf, 5, f.length, LinkType.ETHERNET, 42).ingress(2, "eth1").mark(7);
        assertTrue(p.decode());
        Packet c = p.copy();
        Arrays.fill(buf, (byte) 0); // the copy must not share the buffer
        assertPtb4(c, 14, 1400);
        assertEquals(42, c.timestampNanos());
        assertEquals(2, c.interfaceIndex());
        assertEquals("eth1", c.interfaceName());
        assertEquals(7, c.mark());
        assertEquals(macNumber(SRC_MAC), c.sourceMac());
    }

    @Test
    void prefixAndHardwareHeaderMustLieInTheBuffer() {
        byte[] buf = concat(ptb4(1400), "pmtud\0xx".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Packet p = new Packet().wrap(buf, 0, 56, LinkType.RAW, 1).prefix(buf, 56, 8);
        assertEquals("pmtud", p.prefix());
        assertThrows(IllegalArgumentException.class, () -> p.prefix(new byte[4], 0, 4));
        assertThrows(IllegalArgumentException.class, () -> p.hardwareHeader(new byte[4], 0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> p.wrap(buf, 10, buf.length, LinkType.RAW, 1));
    }

    // ---- every invalid reason ----

    private static byte[] withByte(byte[] b, int at, int value) {
        byte[] c = b.clone();
        c[at] = (byte) value;
        return c;
    }

    private static byte[] withShort(byte[] b, int at, int value) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).putShort(at, (short) value);
        return c;
    }

    private record Case(String name, byte[] bytes, LinkType type, String reason) {
    }

    static List<Case> invalidCases() {
        List<Case> c = new ArrayList<>();
        byte[] v4 = ptb4(1400);
        byte[] v6 = ptb6(1400);
        c.add(new Case("no link type", v4, null, InvalidReason.UNSUPPORTED_LINK_TYPE));
        c.add(new Case("ethernet 13 bytes", new byte[13], LinkType.ETHERNET, InvalidReason.TRUNCATED_LINK_HEADER));
        c.add(new Case("sll 15 bytes", cut(Frames.sll(0, SRC_MAC, v4), 15), LinkType.LINUX_SLL, InvalidReason.TRUNCATED_LINK_HEADER));
        c.add(new Case("sll2 19 bytes", cut(Frames.sll2(1, 0, SRC_MAC, v4), 19), LinkType.LINUX_SLL2, InvalidReason.TRUNCATED_LINK_HEADER));
        c.add(new Case("vlan tag cut", cut(Frames.ethernet(DST_MAC, SRC_MAC, v4, Frames.dot1q(9)), 16), LinkType.ETHERNET,
                InvalidReason.TRUNCATED_LINK_HEADER));
        c.add(new Case("three tags", Frames.ethernet(DST_MAC, SRC_MAC, v4, Frames.dot1q(1), Frames.dot1q(2), Frames.dot1q(3)),
                LinkType.ETHERNET, InvalidReason.TOO_MANY_VLAN_TAGS));
        c.add(new Case("arp", withShort(Frames.ethernet(DST_MAC, SRC_MAC, new byte[28]), 12, 0x0806), LinkType.ETHERNET, InvalidReason.NOT_IP));
        c.add(new Case("sll ipx", withShort(Frames.sll(0, SRC_MAC, v4), 14, 0x8137), LinkType.LINUX_SLL, InvalidReason.NOT_IP));
        c.add(new Case("raw empty", new byte[0], LinkType.RAW, InvalidReason.TRUNCATED_IP_HEADER));
        c.add(new Case("ethernet, no ip byte", Frames.ethernet(DST_MAC, SRC_MAC, new byte[0]), LinkType.ETHERNET,
                InvalidReason.TRUNCATED_IP_HEADER));
        c.add(new Case("v4 19 bytes", cut(v4, 19), LinkType.RAW, InvalidReason.TRUNCATED_IP_HEADER));
        c.add(new Case("v4 ihl 15 beyond capture", withByte(cut(v4, 40), 0, 0x4f), LinkType.RAW, InvalidReason.TRUNCATED_IP_HEADER));
        c.add(new Case("v6 39 bytes", cut(v6, 39), LinkType.RAW, InvalidReason.TRUNCATED_IP_HEADER));
        c.add(new Case("version 5", withByte(v4, 0, 0x55), LinkType.RAW, InvalidReason.BAD_IP_VERSION));
        c.add(new Case("version 0", new byte[60], LinkType.RAW, InvalidReason.BAD_IP_VERSION));
        c.add(new Case("v6 on IPV4 link", v6, LinkType.IPV4, InvalidReason.BAD_IP_VERSION));
        c.add(new Case("v4 on IPV6 link", v4, LinkType.IPV6, InvalidReason.BAD_IP_VERSION));
        c.add(new Case("v6 in v4 ethertype", Frames.ethernet(DST_MAC, SRC_MAC, withByte(v4, 0, 0x75)), LinkType.ETHERNET,
                InvalidReason.BAD_IP_VERSION));
        c.add(new Case("outer ihl 4", withByte(v4, 0, 0x44), LinkType.RAW, InvalidReason.BAD_IHL));
        c.add(new Case("outer ihl 0", withByte(v4, 0, 0x40), LinkType.RAW, InvalidReason.BAD_IHL));
        c.add(new Case("v4 total length below ihl", withShort(v4, 2, 19), LinkType.RAW, InvalidReason.BAD_IP_LENGTH));
        c.add(new Case("v6 payload 0 (jumbogram)", withShort(v6, 4, 0), LinkType.RAW, InvalidReason.BAD_IP_LENGTH));
        c.add(new Case("v4 fragment offset", withShort(v4, 6, 0x2000 | 10), LinkType.RAW, InvalidReason.IP_FRAGMENT));
        c.add(new Case("v4 last fragment", withShort(v4, 6, 1), LinkType.RAW, InvalidReason.IP_FRAGMENT));
        c.add(new Case("v4 first fragment", withShort(v4, 6, 0x2000), LinkType.RAW, InvalidReason.IP_FRAGMENT));
        byte[] icmp6 = Ptb.v6().mtu(1400).tcp(VIP6, 443, CLIENT6, 51000).icmpMessage();
        c.add(new Case("v6 fragment header offset 8", ipv6(ROUTER6, VIP6, 44, concat(new byte[] {58, 0, 0, 8, 0, 0, 0, 1}, icmp6)),
                LinkType.RAW, InvalidReason.IP_FRAGMENT));
        c.add(new Case("v6 first fragment", ptb6Behind(44, new byte[] {58, 0, 0, 1, 0, 0, 0, 7}), LinkType.RAW,
                InvalidReason.IP_FRAGMENT));
        c.add(new Case("v6 hop-by-hop cut", ipv6(ROUTER6, VIP6, 0, new byte[] {58, 0, 0, 0}), LinkType.RAW,
                InvalidReason.TRUNCATED_EXTENSION_HEADER));
        c.add(new Case("v6 hop-by-hop longer than packet", ipv6(ROUTER6, VIP6, 0, concat(new byte[] {58, 10, 0, 0, 0, 0, 0, 0}, icmp6)),
                LinkType.RAW, InvalidReason.TRUNCATED_EXTENSION_HEADER));
        c.add(new Case("v6 fragment header cut", ipv6(ROUTER6, VIP6, 44, new byte[] {58, 0, 0, 0}), LinkType.RAW,
                InvalidReason.TRUNCATED_EXTENSION_HEADER));
        c.add(new Case("v4 tcp", ipv4(ROUTER4, VIP4, 6, new byte[40]), LinkType.RAW, InvalidReason.NOT_ICMP));
        c.add(new Case("v4 udp", ipv4(ROUTER4, VIP4, 17, new byte[40]), LinkType.RAW, InvalidReason.NOT_ICMP));
        c.add(new Case("v6 tcp", ipv6(ROUTER6, VIP6, 6, new byte[40]), LinkType.RAW, InvalidReason.NOT_ICMP));
        c.add(new Case("v4 icmp in v6 (proto 1)", Ptb.v6().from(ROUTER6).to(VIP6).outerProtocol(1).build(), LinkType.RAW, InvalidReason.NOT_ICMP));
        byte[] loop = {0, 0, 0, 0, 0, 0, 0, 0}; // hop-by-hop whose next header is hop-by-hop again, forever
        c.add(new Case("v6 endless extension chain",
                ipv6(ROUTER6, VIP6, 0, concat(loop, loop, loop, loop, loop, loop, loop, loop, loop, loop, icmp6)),
                LinkType.RAW, InvalidReason.NOT_ICMP));
        c.add(new Case("v4 icmp 4 bytes", ipv4(ROUTER4, VIP4, 1, new byte[] {3, 4, 0, 0}), LinkType.RAW,
                InvalidReason.TRUNCATED_ICMP_HEADER));
        c.add(new Case("v4 icmp beyond total length", withShort(v4, 2, 27), LinkType.RAW, InvalidReason.TRUNCATED_ICMP_HEADER));
        c.add(new Case("v6 icmp 7 bytes", ipv6(ROUTER6, VIP6, 58, new byte[] {2, 0, 0, 0, 0, 0, 5}), LinkType.RAW,
                InvalidReason.TRUNCATED_ICMP_HEADER));
        c.add(new Case("v6 hop-by-hop then nothing", ipv6(ROUTER6, VIP6, 0, new byte[] {58, 0, 0, 0, 0, 0, 0, 0}), LinkType.RAW,
                InvalidReason.TRUNCATED_ICMP_HEADER));
        c.add(new Case("echo request", Ptb.v4().type(8, 0).mtu(0).embedded(new byte[8]).build(), LinkType.RAW,
                InvalidReason.NOT_FRAG_NEEDED));
        c.add(new Case("port unreachable", Ptb.v4().type(3, 3).mtu(0).udp(VIP4, 1, CLIENT4, 2).build(),
                LinkType.RAW, InvalidReason.NOT_FRAG_NEEDED));
        c.add(new Case("time exceeded", Ptb.v4().type(11, 0).mtu(0).tcp(VIP4, 1, CLIENT4, 2).build(),
                LinkType.RAW, InvalidReason.NOT_FRAG_NEEDED));
        c.add(new Case("echo6 request", Ptb.v6().type(128, 0).mtu(0).embedded(new byte[8]).build(), LinkType.RAW,
                InvalidReason.NOT_PACKET_TOO_BIG));
        c.add(new Case("v6 dest unreachable", Ptb.v6().type(1, 4).mtu(0).tcp(VIP6, 1, CLIENT6, 2).build(),
                LinkType.RAW, InvalidReason.NOT_PACKET_TOO_BIG));
        c.add(new Case("ptb6 code 1", withByte(v6, 41, 1), LinkType.RAW, InvalidReason.NOT_PACKET_TOO_BIG));
        c.add(new Case("v4 embedding v6", Ptb.v4().embedded(Ptb.v6().tcp(VIP6, 1, CLIENT6, 2).original()).build(),
                LinkType.RAW, InvalidReason.EMBEDDED_NOT_IP));
        c.add(new Case("v6 embedding v4", Ptb.v6().embedded(Ptb.v4().tcp(VIP4, 1, CLIENT4, 2).original()).build(),
                LinkType.RAW, InvalidReason.EMBEDDED_NOT_IP));
        c.add(new Case("inner ihl 4", withByte(v4, 28, 0x44), LinkType.RAW, InvalidReason.EMBEDDED_BAD_IHL));
        c.add(new Case("v4 nothing embedded", Ptb.v4().embeddedBytes(0).build(), LinkType.RAW,
                InvalidReason.EMBEDDED_TOO_SHORT));
        c.add(new Case("v4 embedded 20+3", Ptb.v4().embeddedBytes(23).build(),
                LinkType.RAW, InvalidReason.EMBEDDED_TOO_SHORT));
        byte[] ihl6 = concat(cut(Ptb.v4().original(), 20), new byte[4], new byte[3]);
        ihl6[0] = 0x46; // 24-byte header: 24 + 3 transport bytes is one short
        c.add(new Case("v4 embedded ihl 6, 24+3", Ptb.v4().embedded(ihl6).build(), LinkType.RAW,
                InvalidReason.EMBEDDED_TOO_SHORT));
        c.add(new Case("v6 nothing embedded", Ptb.v6().embeddedBytes(0).build(), LinkType.RAW,
                InvalidReason.EMBEDDED_TOO_SHORT));
        c.add(new Case("v6 embedded 40+3", Ptb.v6().embeddedBytes(43).build(),
                LinkType.RAW, InvalidReason.EMBEDDED_TOO_SHORT));
        c.add(new Case("v6 payload length cuts the embedded packet", withShort(v6, 4, 8 + 43), LinkType.RAW,
                InvalidReason.EMBEDDED_TOO_SHORT));
        c.add(new Case("v6 mtu 1279", ptb6(1279), LinkType.RAW, InvalidReason.MTU_BELOW_IPV6_MINIMUM));
        c.add(new Case("v4 checksum off by one", withShort(v4, 22, ((v4[22] & 0xff) << 8 | (v4[23] & 0xff)) + 1), LinkType.RAW,
                InvalidReason.BAD_ICMP_CHECKSUM));
        c.add(new Case("v6 checksum zero", withShort(v6, 42, 0), LinkType.RAW, InvalidReason.BAD_ICMP_CHECKSUM));
        c.add(new Case("v4 quoted port changed", withByte(v4, 49, v4[49] ^ 1), LinkType.RAW, InvalidReason.BAD_ICMP_CHECKSUM));
        return c;
    }

    @Test
    void everyInvalidCaseGivesItsReason() {
        for (Case k : invalidCases()) {
            Packet p = new Packet().wrap(k.bytes(), 0, k.bytes().length, k.type(), 1);
            assertFalse(p.decode(), k.name());
            assertFalse(p.isValid(), k.name());
            assertEquals(k.reason(), p.invalidReason(), k.name());
            assertTrue(InvalidReason.ALL.contains(p.invalidReason()), k.name());
            assertTrue(p.describe().contains(k.reason()), k.name());
        }
    }

    @Test
    void everyInvalidReasonIsProducedByACraftedInput() {
        Set<String> produced = new LinkedHashSet<>();
        for (Case k : invalidCases()) {
            produced.add(k.reason());
        }
        assertEquals(new LinkedHashSet<>(InvalidReason.ALL), produced);
        assertEquals(InvalidReason.ALL.size(), Set.copyOf(InvalidReason.ALL).size(), "reasons are distinct");
    }

    @Test
    void invalidCasesAreInvalidBehindEveryLinkLayerToo() {
        for (Case k : invalidCases()) {
            if (k.type() != LinkType.RAW || k.bytes().length == 0) {
                continue;
            }
            String r = k.reason();
            assertEquals(r, decode(Frames.ethernet(DST_MAC, SRC_MAC, k.bytes()), LinkType.ETHERNET).invalidReason(), k.name());
            assertEquals(r, decode(Frames.sll(0, SRC_MAC, k.bytes()), LinkType.LINUX_SLL).invalidReason(), k.name());
            assertEquals(r, decode(Frames.sll2(1, 0, SRC_MAC, k.bytes()), LinkType.LINUX_SLL2).invalidReason(), k.name());
        }
    }

    @Test
    void reusedPacketDecodesEachBufferAfresh() {
        Packet p = new Packet();
        byte[] bad = ipv4(ROUTER4, VIP4, 6, new byte[40]);
        byte[] good = ptb6(1280);
        p.wrap(bad, 0, bad.length, LinkType.RAW, 1);
        assertEquals(InvalidReason.NOT_ICMP, p.invalidReason());
        p.wrap(good, 0, good.length, LinkType.RAW, 2);
        assertPtb6(p, 0, 1280);
        p.wrap(bad, 0, bad.length, LinkType.RAW, 3);
        assertFalse(p.isValid());
    }
}
