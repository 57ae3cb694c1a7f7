package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Outage;
import dev.pmtud.api.Packet;
import dev.pmtud.api.RelayedMessage;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.NativeMemory;
import dev.pmtud.sys.SockAddr;
import dev.pmtud.sys.Sys;
import dev.pmtud.sys.netlink.Link;
import dev.pmtud.sys.netlink.Rtnetlink;
import java.io.IOException;

/**
 * l2-broadcast: the original packet, verbatim, in one frame to ff:ff:ff:ff:ff:ff on the send
 * interface, whatever the peers; a failure is the sink's (thrown, counted by the runtime), not a
 * peer's. Its loop guard drops what arrived as a broadcast, which a peer's copy does. One
 * destination, so one {@code sendto} per message. The interface is followed by name
 * ({@link FollowedLink}): the destination's index is rewritten when it is created again.
 */
final class BroadcastReplicator implements Replicator {
    private static final long BROADCAST = 0xffff_ffff_ffffL;

    private final RawSettings settings;
    private final Outage outage;
    private final System.Logger log;
    private final Filter loopGuard = new BroadcastGuard();
    private FollowedLink link;
    private Rtnetlink netlink;
    private final RelayedMessage relayed = new RelayedMessage(); // the sending thread's
    private Descriptor socket;
    private NativeMemory payload;
    private NativeMemory destination;

    // owned by the sending thread
    private SendInterface builtInterface;
    /** What every message fails with while the interface is gone: made once when it went. */
    private NativeException gone;

    BroadcastReplicator(RawSettings settings, System.Logger log, Outage outage) {
        this.settings = settings;
        this.log = log;
        this.outage = outage;
    }

    @Override
    public void open() throws IOException {
        SendInterface iface = SendInterface.resolve(settings, true);
        socket = new RawSockets(settings).packet();
        payload = NativeMemory.allocate(PeerVector.PAYLOAD_MAX);
        destination = NativeMemory.allocate(Linux.SOCKADDR_LL_SIZE);
        netlink = Rtnetlink.open();
        link = new FollowedLink(iface, netlink, outage, log, settings.label());
    }

    @Override
    public void send(Packet packet) throws IOException {
        SendInterface iface = link.current();
        if (iface != builtInterface) {
            builtInterface = iface;
            SockAddr.link(destination.pointer(), 0, Math.max(0, iface.index()), Linux.ETH_P_IP, BROADCAST);
            gone = iface.present() ? null : new NativeException("broadcast on " + iface.name() + ": the interface is gone", Errno.ENODEV, true);
        }
        if (gone != null) {
            outage.failed(Errno.ENODEV, Errno::name);
            throw gone;
        }
        RelayedMessage m = relayed.ipPacket(packet);
        int len = m.length();
        if (len > PeerVector.PAYLOAD_MAX) {
            throw new IOException("message of " + len + " bytes is larger than " + PeerVector.PAYLOAD_MAX);
        }
        payload.pointer().put(0, m.buffer(), m.offset(), len);
        SockAddr.linkProtocol(destination.pointer(), 0, packet.ipVersion() == 4 ? Linux.ETH_P_IP : Linux.ETH_P_IPV6);
        if (Sys.LIBC.sendto(socket.fd(), payload.pointer(), len, Linux.MSG_DONTWAIT, destination.pointer(), Linux.SOCKADDR_LL_SIZE) < 0) {
            int errno = Sys.errno();
            outage.failed(errno, Errno::name);
            throw new NativeException("broadcast on " + iface.name(), errno);
        }
        outage.delivered();
    }

    @Override
    public void refresh(Refresher refresher) throws IOException {
        link.check(now -> { }); // nothing bound to the index but the destination, which the sending thread rewrites
        outage.tick();
    }

    @Override
    public Filter loopGuard() {
        return loopGuard;
    }

    @Override
    public SendInterface sendInterface() {
        return link == null ? null : link.current();
    }

    @Override
    public boolean concerns(Link l) {
        return link != null && link.concerns(l);
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
        if (netlink != null) {
            netlink.close();
        }
    }
}
