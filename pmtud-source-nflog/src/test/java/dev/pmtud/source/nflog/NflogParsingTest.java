package dev.pmtud.source.nflog;

import static dev.pmtud.sys.netlink.Netlink.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.NflogGroup;
import dev.pmtud.api.Packet;
import dev.pmtud.sys.netlink.NetlinkWriter;
import dev.pmtud.testkit.Ptb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NFULNL_MSG_PACKET fixtures laid out as nfnetlink_log.h and the kernel's __build_packet_message. */
class NflogParsingTest {
    private static final byte[] PEER_MAC = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    private static final byte[] NODE_MAC = {0x02, 0x66, 0x77, (byte) 0x88, (byte) 0x99, (byte) 0xaa};
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    /** One packet message as the kernel writes it (attribute order of __build_packet_message). */
    static void packetMessage(NetlinkWriter w, int family, int group, int seq, byte[] payload, byte[] dstMac,
                              boolean timestamp, String prefix) {
        w.begin(nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET), 0, 0).nfgenmsg(family, NFNETLINK_V0, group);
        w.attr(NFULA_PACKET_HDR, new byte[] {(byte) (family == 2 ? 0x08 : 0x86), (byte) (family == 2 ? 0x00 : 0xdd), 0, 0});
        if (prefix != null) {
            w.attrString(NFULA_PREFIX, prefix);
        }
        w.attrBe32(NFULA_IFINDEX_INDEV, 7);
        w.attrBe32(NFULA_MARK, 0x2a);
        byte[] hw = new byte[12];
        hw[1] = 6;
        System.arraycopy(PEER_MAC, 0, hw, 4, 6);
        w.attr(NFULA_HWADDR, hw);
        w.attrBe16(NFULA_HWTYPE, 1);
        w.attrBe16(NFULA_HWLEN, 14);
        byte[] header = new byte[14];
        System.arraycopy(dstMac, 0, header, 0, 6);
        System.arraycopy(PEER_MAC, 0, header, 6, 6);
        header[12] = (byte) (family == 2 ? 0x08 : 0x86);
        header[13] = (byte) (family == 2 ? 0x00 : 0xdd);
        w.attr(NFULA_HWHEADER, header);
        if (timestamp) {
            byte[] ts = new byte[16];
            dev.pmtud.sys.netlink.Bytes.putBeLong(ts, 0, 1_700_000_000L);
            dev.pmtud.sys.netlink.Bytes.putBeLong(ts, 8, 123_456L);
            w.attr(NFULA_TIMESTAMP, ts);
        }
        w.attrBe32(NFULA_SEQ, seq);
        w.attrBe32(NFULA_SEQ_GLOBAL, seq + 1000);
        int vlan = w.beginNested(NFULA_VLAN);
        w.attrBe16(NFULA_VLAN_PROTO, 0x8100).attrBe16(NFULA_VLAN_TCI, 42).endNested(vlan);
        w.attrBe32(99, 0); // an attribute from a future kernel: ignored
        w.attr(NFULA_PAYLOAD, payload);
        w.end();
    }

    @Test
    void parsesEveryAttribute() {
        byte[] payload = Ptb.v4().to("192.0.2.1").mtu(1400).build();
        NetlinkWriter w = new NetlinkWriter();
        packetMessage(w, 2, 33, 5, payload, NODE_MAC, true, "pmtud");
        byte[] b = w.toByteArray();
        NflogMessage m = new NflogMessage().parse(b, NLMSG_HDRLEN, b.length - NLMSG_HDRLEN);
        assertFalse(m.malformed());
        assertEquals(2, m.family());
        assertEquals(33, m.group());
        assertEquals(0x0800, m.hwProtocol());
        assertEquals(0, m.hook());
        assertEquals(7, m.inputInterface());
        assertEquals(0x2a, m.mark());
        assertEquals(6, m.hwAddressLength());
        assertArrayEquals(PEER_MAC, Arrays.copyOfRange(b, m.hwAddressOffset(), m.hwAddressOffset() + 6));
        assertEquals(1, m.hwType());
        assertEquals(14, m.hwHeaderLengthField());
        assertEquals(14, m.hwHeaderLength());
        assertEquals(1_700_000_000L * 1_000_000_000L + 123_456_000L, m.timestampNanos(-1));
        assertTrue(m.hasSeq());
        assertEquals(5, m.seq());
        assertEquals(1005, m.seqGlobal());
        assertEquals(0x8100, m.vlanProtocol());
        assertEquals(42, m.vlanTci());
        assertArrayEquals(payload, Arrays.copyOfRange(b, m.payloadOffset(), m.payloadOffset() + m.payloadLength()));
        assertEquals("pmtud", new String(b, m.prefixOffset(), m.prefixLength() - 1));
        assertEquals(-1, m.uid());
    }

    private record Seen(byte[] payload, long mac, int type, int mark, String prefix, long ts, int ifindex) {
    }

    @Test
    void sourceFillsPacketAndCountsSequenceGaps() {
        byte[] v4 = Ptb.v4().to("192.0.2.1").mtu(1400).build();
        byte[] v6 = Ptb.v6().to("2001:db8:1::1").mtu(1280).build();
        NetlinkWriter w = new NetlinkWriter();
        packetMessage(w, 2, 33, 0, v4, NODE_MAC, true, "pmtud");
        packetMessage(w, 10, 33, 1, v6, BROADCAST, false, null);
        packetMessage(w, 2, 33, 5, v4, NODE_MAC, false, null); // 2, 3 and 4 were dropped by the kernel
        byte[] b = w.toByteArray();

        NflogSource src = new NflogSource(NflogSettings.defaults(33), "t", System.getLogger("t"));
        List<Seen> seen = new ArrayList<>();
        src.handleDatagram(b, 0, b.length, 777L, p -> seen.add(new Seen(
                Arrays.copyOfRange(p.buffer(), p.offset(), p.offset() + p.length()), p.sourceMac(), p.packetType(),
                p.mark(), p.prefix(), p.timestampNanos(), p.interfaceIndex())));

        assertEquals(3, seen.size());
        assertEquals(3, src.lost());
        assertEquals(3, src.received());
        assertArrayEquals(v4, seen.get(0).payload());
        assertArrayEquals(v6, seen.get(1).payload());
        assertEquals(0x021122334455L, seen.get(0).mac());
        assertEquals(Packet.PACKET_HOST, seen.get(0).type());
        assertEquals(Packet.PACKET_BROADCAST, seen.get(1).type());
        assertEquals(0x2a, seen.get(0).mark());
        assertEquals("pmtud", seen.get(0).prefix());
        assertNull(seen.get(1).prefix());
        assertEquals(1_700_000_000_123_456_000L, seen.get(0).ts());
        assertEquals(777L, seen.get(1).ts(), "without NFULA_TIMESTAMP the receive time is used");
        assertEquals(7, seen.get(0).ifindex());
    }

    @Test
    void familiesLimitWhatIsDelivered() {
        NetlinkWriter w = new NetlinkWriter();
        packetMessage(w, 2, 33, 0, Ptb.v4().build(), NODE_MAC, false, null);
        packetMessage(w, 10, 33, 1, Ptb.v6().build(), NODE_MAC, false, null);
        byte[] b = w.toByteArray();
        NflogSource src = new NflogSource(NflogSettings.defaults(33).withFamilies(false, true), "t", System.getLogger("t"));
        List<Integer> versions = new ArrayList<>();
        src.handleDatagram(b, 0, b.length, 0L, p -> versions.add((p.buffer()[p.offset()] & 0xff) >>> 4));
        assertEquals(List.of(6), versions);
        assertEquals(1, src.otherFamilyMessages());
        assertEquals(0, src.lost());
    }

    @Test
    void reportsTheGroupAndFamiliesItReadsForTheCaptureRule() {
        NflogSource both = new NflogSource(NflogSettings.defaults(33), "t", System.getLogger("t"));
        assertEquals(java.util.Optional.of(new NflogGroup(33, true, true)), both.nflogGroup());
        NflogSource v6 = new NflogSource(NflogSettings.defaults(40).withFamilies(false, true), "t", System.getLogger("t"));
        assertEquals(java.util.Optional.of(new NflogGroup(40, false, true)), v6.nflogGroup());
    }

    @Test
    void flushIsRoundedUpToTheKernelsTenMillisecondSteps() {
        assertEquals(1, NflogSettings.defaults(1).withBatch(16, Duration.ofMillis(10)).flushCentiseconds());
        assertEquals(3, NflogSettings.defaults(1).withBatch(16, Duration.ofMillis(25)).flushCentiseconds());
    }
}
