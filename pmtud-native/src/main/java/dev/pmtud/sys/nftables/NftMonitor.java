package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.NFNLGRP_NFTABLES;

import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.NetlinkReader;
import dev.pmtud.sys.netlink.NetlinkSocket;
import java.util.function.Consumer;

/**
 * nf_tables notifications, as {@code nft monitor} reads them: a NETLINK_NETFILTER socket that
 * joined NFNLGRP_NFTABLES, which the kernel tells of every committed change to the ruleset of the
 * namespace the socket was opened in (by nft, iptables-nft or anyone else speaking nf_tables; rules
 * of iptables-legacy are not nf_tables and never show up). Joining needs CAP_NET_ADMIN.
 * <pre>
 *   try (NftMonitor m = NftMonitor.open(); PollSet poll = new PollSet(m.fd())) {
 *       while (poll.await(-1) != PollSet.WOKEN) { boolean complete = m.drain(change -> ...); }
 *   }
 * </pre>
 * One thread reads. Control path: allocates per message.
 */
public final class NftMonitor implements AutoCloseable {
    /** A ruleset rewritten at once (kube-proxy's resync) announces every rule: room for bursts before the socket overruns. */
    private static final int KERNEL_BUFFER_BYTES = 1 << 20;
    private static final int READ_BYTES = 256 * 1024;

    private final NetlinkSocket socket;
    private final byte[] buf = new byte[READ_BYTES];
    private final NetlinkReader reader = new NetlinkReader();

    private NftMonitor(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Subscribes in the calling thread's network namespace. */
    public static NftMonitor open() throws NativeException {
        NetlinkSocket s = NetlinkSocket.open(Linux.NETLINK_NETFILTER, READ_BYTES);
        try {
            s.joinGroup(NFNLGRP_NFTABLES);
            s.setReceiveBufferSize(KERNEL_BUFFER_BYTES, true);
            return new NftMonitor(s);
        } catch (NativeException e) {
            s.close();
            throw new NativeException("nftables notifications: " + e.getMessage(), e.errno(), true);
        }
    }

    /** The descriptor to poll for input. */
    public int fd() {
        return socket.fd();
    }

    /**
     * Hands every notification queued now to {@code each}, in the order the kernel sent them,
     * without waiting.
     *
     * @return false when some were lost since the last call (the socket overran, ENOBUFS, or a
     *         datagram did not fit): whoever relies on them should read the ruleset again
     */
    public boolean drain(Consumer<NftChange> each) throws NativeException {
        boolean complete = true;
        while (true) {
            int n = socket.tryReceive(buf, Linux.MSG_DONTWAIT);
            if (n == -Errno.EAGAIN) {
                return complete;
            }
            if (n == -Errno.ENOBUFS) {
                complete = false;
                continue;
            }
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n < 0) {
                throw new NativeException("nftables notifications (recv)", -n);
            }
            reader.reset(buf, 0, n);
            while (reader.next()) {
                NftChange c = NftChange.parse(reader);
                if (c != null) {
                    each.accept(c);
                }
            }
            if (reader.malformed()) {
                complete = false;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "nftables notifications on " + socket;
    }
}
