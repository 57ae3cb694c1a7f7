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
import dev.pmtud.sys.nflog.NflogMessage;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.NflogPacket;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
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

    /** One packet message as the kernel writes it, with every attribute a parser must read or skip. */
    static void packetMessage(NetlinkWriter w, int family, int group, int seq, byte[] payload, byte[] dstMac,
                              boolean timestamp, String prefix) {
        NflogPacket m = NflogPacket.of(payload).family(family).group(group).seq(seq).prefix(prefix).inputInterface(7)
                .mark(0x2a).hardware(PEER_MAC, dstMac).seqGlobal(seq + 1000).vlan(0x8100, 42)
                .unknownAttribute(99); // an attribute from a future kernel: ignored
        if (timestamp) {
            m.timestamp(1_700_000_000L, 123_456L);
        }
        m.writeTo(w);
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
        assertEquals(1, src.discarded("other-family"));
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
    void everyDiscardIsCountedWithItsReasonAndExportedFromTheStart() {
        TestContext ctx = new TestContext();
        NflogSource src = (NflogSource) new NflogSourceFactory().create(
                Cfg.component("sources", "nflog", "name", "edge", "families", List.of("ipv4")), ctx);
        for (String reason : List.of("malformed", "other-family", "truncated")) {
            assertEquals(0, ctx.metrics().count("pmtud_source_discarded_total", "source", "edge", "reason", reason),
                    reason + " exists at zero before anything arrived");
        }
        NetlinkWriter w = new NetlinkWriter();
        packetMessage(w, 2, 33, 0, Ptb.v4().build(), NODE_MAC, false, null);   // handed on
        packetMessage(w, 10, 33, 1, Ptb.v6().build(), NODE_MAC, false, null);  // other-family: ipv4 only
        packetMessage(w, 2, 33, 2, null, NODE_MAC, false, null);               // malformed: no packet in it
        byte[] whole = w.toByteArray();
        // malformed: a header that runs past the end of the batch
        byte[] b = java.util.Arrays.copyOf(whole, whole.length + 20);
        dev.pmtud.sys.netlink.Bytes.putHostInt(b, whole.length, 64);
        List<Packet> seen = new ArrayList<>();
        src.handleDatagram(b, 0, b.length, 0L, p -> seen.add(p.copy()));

        assertEquals(1, seen.size());
        assertEquals(1, src.received());
        assertEquals(1, ctx.metrics().count("pmtud_source_discarded_total", "source", "edge", "reason", "other-family"));
        assertEquals(2, ctx.metrics().count("pmtud_source_discarded_total", "source", "edge", "reason", "malformed"));
        assertEquals(2, src.discarded("malformed"));
        assertEquals(0, src.lost(), "discarded is not lost: the sequence numbers have no gap");
    }

    @Test
    void aBatchCutByTheReceiveBufferCountsAsTruncatedOnce() {
        NflogDiscards discards = new NflogDiscards(dev.pmtud.api.Metrics.NOOP, "t");
        NflogPackets packets = new NflogPackets(NflogSettings.defaults(33), new NflogLossCounter(() -> -1), discards);
        NetlinkWriter w = new NetlinkWriter();
        packetMessage(w, 2, 33, 0, Ptb.v4().build(), NODE_MAC, false, null);
        int firstEnds = w.length();
        packetMessage(w, 2, 33, 1, Ptb.v4().build(), NODE_MAC, false, null);
        byte[] b = w.toByteArray();
        List<Packet> seen = new ArrayList<>();
        // what recvmmsg leaves of a batch longer than its slot: the first message and part of the second
        packets.batch(b, 0, firstEnds + 40, true, 0L, p -> seen.add(p.copy()));
        assertEquals(1, seen.size(), "the complete message is handed on");
        assertEquals(1, discards.count("truncated"));
        assertEquals(0, discards.count("malformed"), "the cut-off message is the truncation, not a malformed message");
    }

    @Test
    void flushIsRoundedUpToTheKernelsTenMillisecondSteps() {
        assertEquals(1, NflogSettings.defaults(1).withBatch(16, Duration.ofMillis(10)).flushCentiseconds());
        assertEquals(3, NflogSettings.defaults(1).withBatch(16, Duration.ofMillis(25)).flushCentiseconds());
    }
}
