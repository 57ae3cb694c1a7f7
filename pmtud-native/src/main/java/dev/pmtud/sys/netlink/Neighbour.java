package dev.pmtud.sys.netlink;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.sys.Linux;
import java.net.InetAddress;
import java.util.Arrays;

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

    /**
     * The entry in {@code r}'s current message ({@code RTM_NEWNEIGH}, or {@code RTM_DELNEIGH} from a
     * notification), or {@code null} when it is another message, too short, or no IP neighbour
     * (bridge entries are {@code AF_BRIDGE}). Allocates.
     */
    static Neighbour parse(NetlinkReader r, AttributeReader attrs) {
        int type = r.type();
        if (type != RTM_NEWNEIGH && type != RTM_DELNEIGH || r.payloadLength() < NDMSG_LEN) {
            return null;
        }
        byte[] b = r.buffer();
        int p = r.payloadOffset();
        int family = b[p] & 0xff;
        if (family != Linux.AF_INET && family != Linux.AF_INET6) {
            return null;
        }
        int index = Bytes.hostInt(b, p + 4);
        int state = Bytes.hostU16(b, p + 8);
        byte[] dst = null;
        long mac = -1;
        attrs.reset(b, p + NDMSG_LEN, r.payloadLength() - NDMSG_LEN);
        while (attrs.next()) {
            int len = attrs.valueLength();
            if (attrs.type() == NDA_DST && (len == 4 || len == 16)) {
                dst = Arrays.copyOfRange(b, attrs.valueOffset(), attrs.valueOffset() + len);
            } else if (attrs.type() == NDA_LLADDR && len == 6) {
                mac = 0;
                for (int i = 0; i < 6; i++) {
                    mac = mac << 8 | (b[attrs.valueOffset() + i] & 0xff);
                }
            }
        }
        return dst == null ? null : new Neighbour(Rtnetlink.address(dst), mac, type == RTM_DELNEIGH ? NUD_NONE : state, index);
    }

    /** Whether a frame may be sent to {@link #mac()} now. */
    public boolean usable() {
        return (state & NUD_USABLE) != 0 && mac >= 0;
    }

    /** Whether the kernel gave up resolving it: it asked and nobody answered ({@code NUD_FAILED}). */
    public boolean failed() {
        return (state & NUD_FAILED) != 0;
    }

    /** Whether resolution is under way ({@code NUD_INCOMPLETE}): asked, no answer yet. */
    public boolean incomplete() {
        return (state & NUD_INCOMPLETE) != 0;
    }

    /**
     * Whether its address was not confirmed lately ({@code NUD_STALE}): still usable, but only
     * traffic through the kernel's neighbour code (not a packet socket's frames) makes the kernel
     * check it again.
     */
    public boolean stale() {
        return (state & NUD_STALE) != 0;
    }
}
