package dev.pmtud.sys.netlink;

import static dev.pmtud.sys.netlink.Netlink.*;

import java.net.InetAddress;

/**
 * One entry of the kernel's neighbour table (ARP for IPv4, NDP for IPv6), as {@code RTM_GETNEIGH}
 * reports it ({@link Rtnetlink#neighbours}).
 *
 * @param address the neighbour's IP address
 * @param mac     its link-layer address as a 48-bit number, -1 when the entry has none (yet)
 * @param state   the NUD state bits ({@link Netlink#NUD_REACHABLE}...)
 * @param ifIndex the link the entry belongs to
 */
public record Neighbour(InetAddress address, long mac, int state, int ifIndex) {
    /** NUD states in which the entry's link-layer address can be used to send. */
    public static final int NUD_USABLE = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_NOARP | NUD_PERMANENT;

    /** Whether a frame may be sent to {@link #mac()} now. */
    public boolean usable() {
        return (state & NUD_USABLE) != 0 && mac >= 0;
    }
}
