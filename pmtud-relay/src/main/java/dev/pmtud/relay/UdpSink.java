package dev.pmtud.relay;

import dev.pmtud.api.Health;
import dev.pmtud.api.Outage;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PeerTargets;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.RelayedMessage;
import dev.pmtud.api.Sink;
import dev.pmtud.api.Values;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.Rtnetlink;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import jnr.ffi.Pointer;

/**
 * Relays each message to the peers' udp sources: the IP packet as captured, outer header unchanged,
 * in one UDP datagram per peer of the packet's family, on {@code port}. With a key file the datagram
 * is signed ({@link WireFormat}); without, it is the bare packet, as go-pmtud sends it.
 *
 * <p>The packet is sent whole unless it is longer than its receiver needs: then it is cut to
 * RFC 1812's 576 / RFC 4443's 1280 bytes with lengths and checksums fixed ({@link RelayedMessage}).
 *
 * <p>Hot path: the datagram is laid out once in the family's {@link FamilyBatch} payload (header,
 * packet and MAC around it when signed) and goes to every peer of that family in one
 * {@code sendmmsg} from an unconnected socket. Batches are rebuilt only when the peer snapshot
 * changes; this node's own addresses (read then over rtnetlink) are never sent to.
 *
 * <p>A message that reached none of its family's peers (no route, every peer refusing) makes the
 * sink's {@link Outage} say so once (log, {@code pmtud_sink_outages_total}, {@link #health()} and so
 * {@code /readyz}) until one reaches a peer again; each failure is counted per peer and errno.
 */
final class UdpSink implements Sink {
    static final int PAYLOAD_MAX = WireFormat.MAX_PACKET + WireFormat.OVERHEAD;

    private final String label;
    private final int port;
    private final Path keyFile;
    private final PipelineContext context;
    private final System.Logger log;
    private final Outage outage;

    private Descriptor fd4;
    private Descriptor fd6;
    /** Why there is no IPv6 socket (0: there is one): every IPv6 peer is counted failing with it. */
    private int errno6;
    private Rtnetlink netlink;
    private Signer signer;

    // owned by the sending thread
    private final PeerTargets targets;
    private final RelayedMessage relayed = new RelayedMessage();
    private Set<InetAddress> local = Set.of();
    private Set<InetAddress> builtFrom;
    private FamilyBatch batch4;
    private FamilyBatch batch6;

    UdpSink(String label, int port, Path keyFile, PipelineContext context) {
        this.label = label;
        this.port = port;
        this.keyFile = keyFile;
        this.context = context;
        this.log = context.logger();
        this.targets = new PeerTargets(context, label, Errno::name);
        this.outage = new Outage(context, Outage.SINK, label);
    }

    /** Failing while messages reach no peer of their family, until one does again. */
    @Override
    public Health health() {
        return outage.health();
    }

    @Override
    public void open() throws IOException {
        RelayKeys keys = keyFile == null ? null : RelayKeys.load(keyFile);
        try {
            fd4 = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM");
            try {
                fd6 = Descriptor.socket(Linux.AF_INET6, Linux.SOCK_DGRAM, 0, "AF_INET6, SOCK_DGRAM");
            } catch (NativeException e) {
                if (e.errno() != Errno.EAFNOSUPPORT) {
                    throw e;
                }
                errno6 = e.errno();
                log.log(System.Logger.Level.WARNING, "udp sink {0}: IPv6 is not available, IPv6 peers get nothing", label);
            }
            netlink = Rtnetlink.open();
            signer = keys == null ? null : new Signer(keys);
            rebuild(context.peers().current()); // every peer's counters exist from the start
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        log.log(System.Logger.Level.INFO, "udp sink {0}: to {1} IPv4 and {2} IPv6 peers on port {3}, {4}", label,
                size(batch4), size(batch6), String.valueOf(port),
                signer == null ? "bare packets (go-pmtud format, no key-file)" : "signed with key " + signer.key().idText());
    }

    private static int size(FamilyBatch b) {
        return b == null ? 0 : b.size();
    }

    // ---------------------------------------------------------------- send (hot path)

    @Override
    public void send(Packet packet) throws IOException {
        Set<InetAddress> peers = context.peers().current();
        if (peers != builtFrom) {
            rebuild(peers);
        }
        boolean v4 = packet.ipVersion() == 4;
        FamilyBatch batch = v4 ? batch4 : batch6;
        if (batch == null) {
            return;
        }
        if (!v4 && fd6 == null) {
            for (int i = 0; i < batch.size(); i++) {
                batch.counters(i).error(errno6).increment();
            }
            return;
        }
        RelayedMessage m = relayed.ipPacket(packet); // at most 576 / 1280 bytes, as the peer's kernel needs
        byte[] b = m.buffer();
        int off = m.offset();
        int len = m.length();
        Pointer out = batch.payload();
        int total;
        if (signer != null) {
            signer.sign(b, off, len, WireFormat.wallClockNanos());
            out.put(0, signer.header, 0, WireFormat.HEADER_LENGTH);
            out.put(WireFormat.HEADER_LENGTH, b, off, len);
            out.put(WireFormat.HEADER_LENGTH + len, signer.mac, 0, HmacSha256.LENGTH);
            total = len + WireFormat.OVERHEAD;
        } else {
            out.put(0, b, off, len);
            total = len;
        }
        if (batch.send((v4 ? fd4 : fd6).fd(), total) > 0) {
            outage.delivered();
        } else {
            outage.failed(batch.firstError(), Errno::name);
        }
    }

    /** New batches for a new peer snapshot. Allocates; once per change, not per packet. */
    private void rebuild(Set<InetAddress> peers) {
        builtFrom = peers;
        try {
            local = netlink.localAddresses();
        } catch (NativeException e) {
            log.log(System.Logger.Level.WARNING, "udp sink {0}: cannot read this node''s addresses ({1}); "
                    + "keeping the last known ones", label, e.getMessage());
        }
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        for (InetAddress p : targets.select(peers, local)) { // never to itself, even if a provider let one of its addresses through
            (p instanceof Inet4Address ? v4 : v6).add(p);
        }
        closeBatches();
        batch4 = batch(v4);
        batch6 = batch(v6);
        log.log(System.Logger.Level.DEBUG, "udp sink {0}: peers {1}", label, peers.stream().map(Values::formatAddress).toList());
    }

    private FamilyBatch batch(List<InetAddress> peers) {
        if (peers.isEmpty()) {
            return null;
        }
        return new FamilyBatch(peers, targets.counters(peers), port, PAYLOAD_MAX);
    }

    private void closeBatches() {
        if (batch4 != null) {
            batch4.close();
        }
        if (batch6 != null) {
            batch6.close();
        }
        batch4 = null;
        batch6 = null;
    }

    @Override
    public void close() {
        closeBatches();
        for (Descriptor d : new Descriptor[] {fd4, fd6}) {
            if (d != null) {
                d.close();
            }
        }
        if (netlink != null) {
            netlink.close();
        }
    }

    @Override
    public String toString() {
        return "udp(port " + port + ")";
    }
}
