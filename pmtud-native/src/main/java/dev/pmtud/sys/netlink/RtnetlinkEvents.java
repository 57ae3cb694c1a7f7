package dev.pmtud.sys.netlink;

import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.Sys;

/**
 * The kernel's rtnetlink notifications: a socket that joined the groups asked for, so it hears
 * when an interface of this network namespace appears, changes (up, down, renamed) or is removed
 * ({@link #LINKS}: {@code RTM_NEWLINK}, {@code RTM_DELLINK}), when an interface gets or loses an
 * address ({@link #ADDRESSES}: a re-created interface is usable for IP only then), and when a
 * neighbour entry changes state ({@link #NEIGHBOURS}: resolved, stale, failed). How pmtud follows
 * an interface by name (a deleted and re-created {@code eth0} has a new index, and whatever was
 * bound to the old one must be looked up again) and notices a peer the kernel cannot resolve.
 * <pre>
 *   try (RtnetlinkEvents events = RtnetlinkEvents.open(RtnetlinkEvents.LINKS); PollSet poll = new PollSet(events.fd())) {
 *       while (poll.await(-1) != PollSet.WOKEN) {
 *           if (!events.drain(link -> ...)) { ... notifications were lost: look everything up again }
 *       }
 *   }
 * </pre>
 * Opened in the caller's network namespace and bound to it for good. One thread reads. Control
 * path: allocates per notification.
 */
public final class RtnetlinkEvents implements AutoCloseable {
    /** Links appearing, changing, removed. */
    public static final int LINKS = 1;
    /** IPv4 and IPv6 addresses added or removed. */
    public static final int ADDRESSES = 2;
    /** Neighbour entries (ARP, NDP) changing state. */
    public static final int NEIGHBOURS = 4;

    /** Room for a burst of notifications (each up to ~1 KiB) before the kernel drops some (ENOBUFS). */
    private static final int KERNEL_BUFFER_BYTES = 1 << 20;

    /** What {@link #drain} hands on; only what the socket joined arrives. */
    @FunctionalInterface
    public interface Listener {
        /** A link appeared, changed or was deleted ({@link Link#deleted()}). */
        void link(Link link);

        /** An address was added to or removed from the link of index {@code ifIndex}. */
        default void address(int ifIndex) {
        }

        /** A neighbour entry changed ({@code state} 0 when it was deleted). */
        default void neighbour(Neighbour neighbour) {
        }
    }

    private final NetlinkSocket socket;
    private final byte[] buffer;
    private final NetlinkReader reader = new NetlinkReader();
    private final AttributeReader attrs = new AttributeReader();

    private RtnetlinkEvents(NetlinkSocket socket) {
        this.socket = socket;
        this.buffer = new byte[socket.receiveCapacity()];
    }

    /** @param what {@link #LINKS}, {@link #ADDRESSES}, {@link #NEIGHBOURS}, or'ed */
    public static RtnetlinkEvents open(int what) throws NativeException {
        NetlinkSocket s = NetlinkSocket.open(Linux.NETLINK_ROUTE, 64 * 1024);
        try {
            if ((what & LINKS) != 0) {
                join(s, Netlink.RTNLGRP_LINK);
            }
            if ((what & ADDRESSES) != 0) {
                join(s, Netlink.RTNLGRP_IPV4_IFADDR);
                join(s, Netlink.RTNLGRP_IPV6_IFADDR);
            }
            if ((what & NEIGHBOURS) != 0) {
                join(s, Netlink.RTNLGRP_NEIGH);
            }
            s.setReceiveBufferSize(KERNEL_BUFFER_BYTES, true);
            return new RtnetlinkEvents(s);
        } catch (NativeException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static void join(NetlinkSocket s, int group) throws NativeException {
        Sys.setIntOption(s.fd(), Linux.SOL_NETLINK, Linux.NETLINK_ADD_MEMBERSHIP, group, "NETLINK_ADD_MEMBERSHIP(" + group + ")");
    }

    /** The descriptor to watch for input (a {@code PollSet}). */
    public int fd() {
        return socket.fd();
    }

    /**
     * Reads every notification queued now, without waiting, and hands each to {@code each}.
     *
     * @return false when the kernel had to drop notifications (ENOBUFS: the buffer overflowed): a
     *         link may have changed unseen, so whoever follows one must look it up again
     */
    public boolean drain(Listener each) throws NativeException {
        boolean complete = true;
        while (true) {
            int n = socket.tryReceive(buffer, Linux.MSG_DONTWAIT);
            if (n < 0) {
                int errno = -n;
                if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                    return complete;
                }
                if (errno == Errno.ENOBUFS) {
                    complete = false;
                    continue;
                }
                throw new NativeException("rtnetlink notifications (recv)", errno);
            }
            reader.reset(buffer, 0, n);
            while (reader.next()) {
                dispatch(each);
            }
        }
    }

    private void dispatch(Listener each) {
        int type = reader.type();
        if (type == Netlink.RTM_NEWADDR || type == Netlink.RTM_DELADDR) {
            if (reader.payloadLength() >= Netlink.IFADDRMSG_LEN) {
                each.address(Bytes.hostInt(reader.buffer(), reader.payloadOffset() + 4));
            }
        } else if (type == Netlink.RTM_NEWNEIGH || type == Netlink.RTM_DELNEIGH) {
            Neighbour n = Neighbour.parse(reader, attrs);
            if (n != null) {
                each.neighbour(n);
            }
        } else {
            Link link = Link.parse(reader, attrs);
            if (link != null) {
                each.link(link);
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
