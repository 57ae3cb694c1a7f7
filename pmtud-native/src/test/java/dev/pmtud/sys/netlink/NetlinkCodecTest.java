package dev.pmtud.sys.netlink;

import static dev.pmtud.sys.netlink.Netlink.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

/**
 * Byte fixtures written by hand from the layouts in linux/netlink.h and
 * linux/netfilter/nfnetlink_log.h (little-endian host, as on x86_64 and arm64).
 */
class NetlinkCodecTest {

    @BeforeAll
    static void littleEndianHost() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "fixtures are little-endian");
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void nflogBindMessageMatchesKernelLayout() {
        NetlinkWriter w = new NetlinkWriter(16);
        w.begin(nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG), NLM_F_REQUEST | NLM_F_ACK, 7)
                .nfgenmsg(0, NFNETLINK_V0, 33)
                .attr(NFULA_CFG_CMD, new byte[] {NFULNL_CFG_CMD_BIND})
                .end();
        byte[] expected = bytes(
                0x1c, 0, 0, 0, /* nlmsg_len 28 */ 0x01, 0x04, /* type ULOG<<8|CONFIG */ 0x05, 0x00, /* REQUEST|ACK */
                7, 0, 0, 0, /* seq */ 0, 0, 0, 0, /* pid */
                0, 0, 0x00, 0x21, /* nfgenmsg: AF_UNSPEC, v0, res_id 33 big-endian */
                0x05, 0x00, 0x01, 0x00, 0x01, 0, 0, 0 /* nlattr len 5 type CMD, BIND, 3 pad bytes */);
        assertArrayEquals(expected, w.toByteArray());
    }

    @Test
    void configAttributesArePaddedAndBigEndian() {
        NetlinkWriter w = new NetlinkWriter();
        w.begin(nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG), NLM_F_REQUEST, 1)
                .nfgenmsg(2, 0, 0x1234)
                .attr(NFULA_CFG_MODE, bytes(0, 0, 0xff, 0xff, NFULNL_COPY_PACKET, 0))
                .attrBe32(NFULA_CFG_QTHRESH, 16)
                .attrBe16(NFULA_CFG_FLAGS, NFULNL_CFG_F_SEQ)
                .end();
        byte[] expected = bytes(
                48, 0, 0, 0, 0x01, 0x04, 0x01, 0x00, 1, 0, 0, 0, 0, 0, 0, 0,
                2, 0, 0x12, 0x34,
                10, 0, 2, 0, 0, 0, 0xff, 0xff, 2, 0, 0, 0, /* mode: len 10, 2 pad bytes */
                8, 0, 5, 0, 0, 0, 0, 16, /* qthresh be32 */
                6, 0, 6, 0, 0, 1, 0, 0 /* flags be16 + pad */);
        assertArrayEquals(expected, w.toByteArray());
    }

    @Test
    void nestedAttributeCarriesFlagAndTotalLength() {
        NetlinkWriter w = new NetlinkWriter();
        w.begin(0x20, 0, 0);
        int vlan = w.beginNested(NFULA_VLAN);
        w.attrBe16(NFULA_VLAN_PROTO, 0x8100).attrBe16(NFULA_VLAN_TCI, 5).endNested(vlan).end();
        byte[] all = w.toByteArray();
        byte[] expectedAttrs = bytes(
                20, 0, 20, 0x80, /* len 20, type VLAN | NLA_F_NESTED */
                6, 0, 1, 0, 0x81, 0x00, 0, 0,
                6, 0, 2, 0, 0x00, 0x05, 0, 0);
        byte[] attrs = java.util.Arrays.copyOfRange(all, NLMSG_HDRLEN, all.length);
        assertArrayEquals(expectedAttrs, attrs);
        assertEquals(NLMSG_HDRLEN + 20, Bytes.hostInt(all, 0));

        AttributeReader outer = new AttributeReader().reset(all, NLMSG_HDRLEN, all.length - NLMSG_HDRLEN);
        assertTrue(outer.next());
        assertEquals(NFULA_VLAN, outer.type());
        assertTrue(outer.isNested());
        AttributeReader inner = outer.nested(new AttributeReader());
        assertTrue(inner.next());
        assertEquals(NFULA_VLAN_PROTO, inner.type());
        assertEquals(0x8100, inner.beU16());
        assertTrue(inner.next());
        assertEquals(NFULA_VLAN_TCI, inner.type());
        assertEquals(5, inner.beU16());
        assertFalse(inner.next());
        assertFalse(outer.next());
    }

    /** What {@code Rtnetlink.setIpv4Conf} sends: {@code inet_set_link_af()}'s layout (linux/if_link.h, net/ipv4/devinet.c). */
    @Test
    void ipv4LinkSettingIsNestedAfSpecInetConf() {
        NetlinkWriter w = Rtnetlink.ipv4ConfRequest(new NetlinkWriter(), 3, 42, IPV4_DEVCONF_RP_FILTER, 2);
        byte[] expected = bytes(
                52, 0, 0, 0, 16, 0, 0x05, 0x00, 3, 0, 0, 0, 0, 0, 0, 0, /* RTM_NEWLINK, REQUEST|ACK, seq 3 */
                0, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* ifinfomsg: AF_UNSPEC, index 42, flags 0, change 0 */
                20, 0, 26, 0x80, /* IFLA_AF_SPEC, nested, 20 bytes */
                16, 0, 2, 0x80, /* AF_INET, nested */
                12, 0, 1, 0x80, /* IFLA_INET_CONF, nested */
                8, 0, 8, 0, 2, 0, 0, 0 /* IPV4_DEVCONF_RP_FILTER (8) = u32 2 */);
        assertArrayEquals(expected, w.toByteArray());
    }

    @Test
    void batchedMessagesFollowEachOtherAligned() {
        NetlinkWriter w = new NetlinkWriter();
        w.begin(0x11, 0, 1).attrU8(1, 0xaa).end();
        w.begin(0x12, 0, 2).attrString(2, "ab").end();
        NetlinkReader r = new NetlinkReader().reset(w.array(), 0, w.length());
        assertTrue(r.next());
        assertEquals(0x11, r.type());
        assertEquals(1, r.seq());
        assertEquals(24, r.messageLength());
        assertTrue(r.next());
        assertEquals(0x12, r.type());
        assertEquals(24, r.messageOffset());
        AttributeReader a = new AttributeReader().reset(r.buffer(), r.payloadOffset(), r.payloadLength());
        assertTrue(a.next());
        assertEquals("ab", a.string());
        assertFalse(r.next());
        assertFalse(r.malformed());
    }

    @Test
    void readsErrorAckAndPacketMessageFromFixture() {
        // An NLMSG_ERROR carrying -EBUSY (-16) for request seq 9, then an NFULNL_MSG_PACKET with
        // PACKET_HDR (IPv4, hook 0), MARK 0x01020304, SEQ 5 and a 3-byte PAYLOAD.
        byte[] fixture = bytes(
                36, 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0x44, 0x33, 0x22, 0x11,
                0xf0, 0xff, 0xff, 0xff, /* error -16 */
                28, 0, 0, 0, 0x01, 0x04, 0x05, 0x00, 9, 0, 0, 0, 0, 0, 0, 0, /* the request's header */
                60, 0, 0, 0, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                2, 0, 0, 33,
                8, 0, 1, 0, 0x08, 0x00, 0, 0,
                8, 0, 2, 0, 1, 2, 3, 4,
                8, 0, 12, 0, 0, 0, 0, 5,
                7, 0, 9, 0, 0x45, 0x00, 0x01, 0,
                8, 0, 99, 0, 9, 9, 9, 9 /* an unknown attribute */);
        NetlinkReader r = new NetlinkReader().reset(fixture, 0, fixture.length);
        assertTrue(r.next());
        assertTrue(r.isError());
        assertEquals(16, r.errorCode());
        assertEquals(9, r.errorRequestSeq());
        assertEquals(0x11223344, r.pid());
        assertTrue(r.next());
        assertEquals(NFNL_SUBSYS_ULOG, r.nfnlSubsys());
        assertEquals(NFULNL_MSG_PACKET, r.nfnlMsg());
        assertEquals(2, r.nfgenFamily());
        assertEquals(33, r.nfgenResId());
        int[] offs = new int[NFULA_MAX + 1];
        int[] lens = new int[NFULA_MAX + 1];
        assertTrue(AttributeReader.index(fixture, r.payloadOffset() + NFGENMSG_LEN, r.payloadLength() - NFGENMSG_LEN, offs, lens));
        assertEquals(0x0800, Bytes.beU16(fixture, offs[NFULA_PACKET_HDR]));
        assertEquals(0x01020304, Bytes.beInt(fixture, offs[NFULA_MARK]));
        assertEquals(5, Bytes.beInt(fixture, offs[NFULA_SEQ]));
        assertEquals(3, lens[NFULA_PAYLOAD]);
        assertEquals(0x45, fixture[offs[NFULA_PAYLOAD]] & 0xff);
        assertEquals(-1, offs[NFULA_PREFIX]);
        assertFalse(r.next());
        assertFalse(r.malformed());
    }

    @Test
    void truncatedMessageStopsTheWalk() {
        byte[] fixture = bytes(40, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        NetlinkReader r = new NetlinkReader().reset(fixture, 0, fixture.length);
        assertFalse(r.next());
        assertTrue(r.malformed());

        byte[] attrs = bytes(8, 0, 1, 0, 1, 2, 3, 4, 12, 0, 2, 0, 0, 0);
        int[] offs = new int[4];
        int[] lens = new int[4];
        assertFalse(AttributeReader.index(attrs, 0, attrs.length, offs, lens));
        assertEquals(4, offs[1]);
        assertEquals(-1, offs[2]);
    }
}
