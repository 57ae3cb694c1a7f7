package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.MsgVector;
import dev.pmtud.sys.NativeException;
import java.io.IOException;

/**
 * l2-broadcast: the original packet, verbatim, in one frame to ff:ff:ff:ff:ff:ff on the send
 * interface, whatever the peers; a failure is the sink's (counted by the runtime), not a peer's.
 * Its loop guard drops what arrived as a broadcast, which a peer's copy does.
 */
final class BroadcastReplicator implements Replicator {
    private static final long BROADCAST = 0xffff_ffff_ffffL;

    private final RawSettings settings;
    private final Filter loopGuard = new BroadcastGuard();
    private SendInterface iface;
    private Descriptor socket;
    private MsgVector frame;

    BroadcastReplicator(RawSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open() throws IOException {
        iface = SendInterface.resolve(settings, true);
        socket = new RawSockets(settings).packet();
        frame = MsgVector.sharedPayload(1, PeerVector.PAYLOAD_MAX);
        frame.linkDestination(0, iface.index(), Linux.ETH_P_IP, BROADCAST);
    }

    @Override
    public void send(Packet packet) throws IOException {
        frame.load(packet.buffer(), packet.l3Offset(), packet.l3Length());
        frame.linkProtocol(1, packet.ipVersion() == 4 ? Linux.ETH_P_IP : Linux.ETH_P_IPV6);
        int r = frame.send(socket.fd(), 0, 1, Linux.MSG_DONTWAIT);
        if (r < 0) {
            throw new NativeException("broadcast on " + iface.name(), -r);
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
        if (frame != null) {
            frame.close();
            frame = null;
        }
        if (socket != null) {
            socket.close();
        }
    }
}
