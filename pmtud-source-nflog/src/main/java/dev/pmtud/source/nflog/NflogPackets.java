package dev.pmtud.source.nflog;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.sys.InterfaceNames;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.netlink.NetlinkReader;
import dev.pmtud.sys.nflog.NflogMessage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The messages of one kernel batch, each mapped onto the one reused {@link Packet} and handed on:
 * the logged IP packet as {@link LinkType#RAW}, the kernel's timestamp, the input interface, the
 * source MAC, the link-layer packet type, the mark and the rule's prefix. Every message's sequence
 * number goes to the {@link NflogLossCounter}; what cannot be handed on is counted in
 * {@link NflogDiscards}. Nothing is copied or allocated per message. Used by the source's thread only.
 */
final class NflogPackets {
    private static final int PACKET_MESSAGE = nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET);
    private static final int ARPHRD_ETHER = 1;

    private final boolean ipv4;
    private final boolean ipv6;
    private final NflogLossCounter loss;
    private final NflogDiscards discards;
    private final Packet packet = new Packet();
    private final NflogMessage message = new NflogMessage();
    private final NetlinkReader reader = new NetlinkReader();
    private InterfaceNames interfaces;
    /**
     * Messages handed on. Only the source's thread writes it, so a release store is enough for
     * readers elsewhere ({@link #received()}): no fence per message, as a volatile write would cost.
     */
    private long received;
    private static final VarHandle RECEIVED;

    static {
        try {
            RECEIVED = MethodHandles.lookup().findVarHandle(NflogPackets.class, "received", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    NflogPackets(NflogSettings settings, NflogLossCounter loss, NflogDiscards discards) {
        this.ipv4 = settings.ipv4();
        this.ipv6 = settings.ipv6();
        this.loss = loss;
        this.discards = discards;
    }

    /** Names input interfaces from now on (without it, packets carry the index only). */
    void interfaces(InterfaceNames names) {
        this.interfaces = names;
    }

    /**
     * Hands every packet message of the kernel batch {@code b[off, off + len)} to {@code handler}.
     *
     * @param truncated the batch was longer than the receive buffer: its tail is missing
     * @param nowNanos  the receive time, for messages without a kernel timestamp (epoch nanoseconds)
     */
    void batch(byte[] b, int off, int len, boolean truncated, long nowNanos, PacketHandler handler) {
        reader.reset(b, off, len);
        while (reader.next()) {
            if (reader.type() != PACKET_MESSAGE) {
                continue; // late ACKs, NLMSG_DONE...
            }
            NflogMessage m = message.parse(b, reader.payloadOffset(), reader.payloadLength());
            if (m.hasSeq()) {
                loss.sequence(m.seq());
            }
            if (m.malformed() || m.payloadOffset() < 0) {
                discards.count(NflogDiscards.MALFORMED);
                continue;
            }
            int family = m.family();
            if (family == Linux.AF_INET && !ipv4 || family == Linux.AF_INET6 && !ipv6) {
                discards.count(NflogDiscards.OTHER_FAMILY);
                continue;
            }
            RECEIVED.setRelease(this, received + 1);
            handler.handle(map(m, b, nowNanos));
        }
        if (truncated) {
            discards.count(NflogDiscards.TRUNCATED); // the cut-off last message included
        } else if (reader.malformed()) {
            discards.count(NflogDiscards.MALFORMED);
        }
    }

    private Packet map(NflogMessage m, byte[] b, long nowNanos) {
        packet.wrap(b, m.payloadOffset(), m.payloadLength(), LinkType.RAW, m.timestampNanos(nowNanos));
        int indev = m.inputInterface();
        if (indev > 0) {
            packet.ingress(indev, interfaces == null ? null : interfaces.name(indev, nowNanos));
        }
        int hwHeader = m.hwHeaderOffset();
        int hwHeaderLength = m.hwHeaderLength();
        if (m.hwAddressLength() == 6) {
            packet.sourceMac(b, m.hwAddressOffset());
        } else if (hwHeader >= 0 && hwHeaderLength >= 14 && m.hwType() == ARPHRD_ETHER) {
            packet.sourceMac(b, hwHeader + 6);
        }
        if (hwHeader >= 0) {
            packet.hardwareHeader(b, hwHeader, hwHeaderLength);
            if (hwHeaderLength >= 6 && (m.hwType() == ARPHRD_ETHER || m.hwType() == -1)) {
                packet.packetType(ethernetPacketType(b, hwHeader));
            }
        }
        packet.mark(m.mark());
        if (m.prefixOffset() >= 0) {
            packet.prefix(b, m.prefixOffset(), m.prefixLength());
        }
        return packet;
    }

    /** The PACKET_* class of an Ethernet destination: broadcast, multicast or (unicast) host. */
    static int ethernetPacketType(byte[] b, int dst) {
        if ((b[dst] & b[dst + 1] & b[dst + 2] & b[dst + 3] & b[dst + 4] & b[dst + 5]) == (byte) 0xff) {
            return Packet.PACKET_BROADCAST;
        }
        return (b[dst] & 1) != 0 ? Packet.PACKET_MULTICAST : Packet.PACKET_HOST;
    }

    /** Messages handed on; read from any thread. */
    long received() {
        return (long) RECEIVED.getAcquire(this);
    }
}
