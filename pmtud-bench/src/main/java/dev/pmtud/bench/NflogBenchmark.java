package dev.pmtud.bench;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.source.nflog.NflogDatagramBridge;
import dev.pmtud.sys.netlink.Bytes;
import dev.pmtud.sys.netlink.NetlinkWriter;
import dev.pmtud.testkit.NflogPacket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The NFLOG source's receive path after the system call: each kernel batch (one datagram, one
 * message with the default {@code batch: 1}) split into messages, its sequence number checked for
 * gaps, its attributes found in place and mapped onto the reused {@code Packet} (payload, ingress,
 * source MAC, packet type, mark, prefix, timestamp). The handler only reads the length, so this is
 * the NFLOG part alone; the decoder and the filters have their own benchmarks.
 *
 * <p>The {@link MessageMix} payloads, each in an NFULNL_MSG_PACKET laid out as the kernel's
 * {@code __build_packet_message} writes it for an iptables NFLOG rule in PREROUTING on Ethernet;
 * the sequence numbers are rewritten before every round so that no gap is ever seen. One operation
 * is one message.
 */
public class NflogBenchmark extends MixBenchmark {
    private static final byte[] PEER_MAC = {0x02, 0, 0, 0, 0, 0x64};
    private static final byte[] NODE_MAC = {0x02, 0, 0, 0, 0, 0x01};

    private final NflogDatagramBridge nflog = new NflogDatagramBridge();
    private byte[] datagrams;
    private final int[] offset = new int[MessageMix.BATCH];
    private final int[] length = new int[MessageMix.BATCH];
    private final int[] seqAt = new int[MessageMix.BATCH];
    private int seq;
    private long sum;
    private final PacketHandler handler = p -> sum += p.length();

    @Setup(Level.Trial)
    public void setUp() {
        setUpMix(LinkType.RAW);
        NetlinkWriter w = new NetlinkWriter(256 * 1024);
        for (int i = 0; i < MessageMix.BATCH; i++) {
            offset[i] = align(w.length());
            seqAt[i] = packetMessage(w, mix, i);
            length[i] = w.length() - offset[i];
        }
        datagrams = w.toByteArray();
    }

    /** Writes message {@code i} of the mix; returns the offset of its NFULA_SEQ value. */
    private static int packetMessage(NetlinkWriter w, MessageMix m, int i) {
        byte[] l3 = java.util.Arrays.copyOfRange(m.buffer, m.offset[i], m.offset[i] + m.length[i]);
        return NflogPacket.of(l3).group(7).prefix("").inputInterface(2).hardware(PEER_MAC, NODE_MAC)
                .timestamp(1_700_000_000L, 123_456L).writeTo(w);
    }

    @Benchmark
    @OperationsPerInvocation(MessageMix.BATCH)
    public long receive() {
        byte[] d = datagrams;
        for (int i = 0; i < MessageMix.BATCH; i++) {
            Bytes.putBeInt(d, seqAt[i], seq++);
        }
        long t = now += spacingNanos * MessageMix.BATCH;
        for (int i = 0; i < MessageMix.BATCH; i++) {
            nflog.handle(d, offset[i], length[i], t, handler);
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (nflog.lost() != 0 || nflog.received() == 0) {
            throw new IllegalStateException("the benchmark's messages must all arrive without a gap: received "
                    + nflog.received() + ", lost " + nflog.lost());
        }
    }
}
