package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.RelayedMessage;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.NativeMemory;
import dev.pmtud.sys.SockAddr;
import dev.pmtud.sys.Sys;
import java.io.IOException;

/**
 * l2-broadcast: the original packet, verbatim, in one frame to ff:ff:ff:ff:ff:ff on the send
 * interface, whatever the peers; a failure is the sink's (counted by the runtime), not a peer's.
 * Its loop guard drops what arrived as a broadcast, which a peer's copy does. One destination, so
 * one {@code sendto} per message.
 */
final class BroadcastReplicator implements Replicator {
    private static final long BROADCAST = 0xffff_ffff_ffffL;

    private final RawSettings settings;
    private final Filter loopGuard = new BroadcastGuard();
    private final RelayedMessage relayed = new RelayedMessage(); // the sending thread's
    private SendInterface iface;
    private Descriptor socket;
    private NativeMemory payload;
    private NativeMemory destination;

    BroadcastReplicator(RawSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open() throws IOException {
        iface = SendInterface.resolve(settings, true);
        socket = new RawSockets(settings).packet();
        payload = NativeMemory.allocate(PeerVector.PAYLOAD_MAX);
        destination = NativeMemory.allocate(Linux.SOCKADDR_LL_SIZE);
        SockAddr.link(destination.pointer(), 0, iface.index(), Linux.ETH_P_IP, BROADCAST);
    }

    @Override
    public void send(Packet packet) throws IOException {
        RelayedMessage m = relayed.ipPacket(packet);
        int len = m.length();
        if (len > PeerVector.PAYLOAD_MAX) {
            throw new IOException("message of " + len + " bytes is larger than " + PeerVector.PAYLOAD_MAX);
        }
        payload.pointer().put(0, m.buffer(), m.offset(), len);
        SockAddr.linkProtocol(destination.pointer(), 0, packet.ipVersion() == 4 ? Linux.ETH_P_IP : Linux.ETH_P_IPV6);
        if (Sys.LIBC.sendto(socket.fd(), payload.pointer(), len, Linux.MSG_DONTWAIT, destination.pointer(), Linux.SOCKADDR_LL_SIZE) < 0) {
            throw new NativeException("broadcast on " + iface.name(), Sys.errno());
        }
    }

    @Override
    public void refresh(Refresher refresher) {
        // nothing to learn: a broadcast addresses no peer
    }

    @Override
    public Filter loopGuard() {
        return loopGuard;
    }

    @Override
    public SendInterface sendInterface() {
        return iface;
    }

    @Override
    public void close() {
        if (payload != null) {
            payload.close();
            destination.close();
        }
        if (socket != null) {
            socket.close();
        }
    }
}
