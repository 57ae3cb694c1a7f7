package dev.pmtud.sys.netlink;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.sys.Linux;

/**
 * A network interface as rtnetlink describes it ({@code RTM_NEWLINK} / {@code RTM_DELLINK}:
 * {@code struct ifinfomsg} and its attributes), from a lookup ({@link Rtnetlink#link}) or a
 * notification ({@link LinkEvents}).
 *
 * @param index   the interface index, which a re-created interface does not get back
 * @param name    its name ({@code IFLA_IFNAME})
 * @param flags   {@code ifi_flags} ({@link Linux#IFF_UP}...)
 * @param mac     its link-layer address as a 48-bit number ({@code IFLA_ADDRESS}), -1 when it has none (TUN)
 * @param deleted whether this is the notification of its removal ({@code RTM_DELLINK})
 */
public record Link(int index, String name, int flags, long mac, boolean deleted) {

    public boolean up() {
        return (flags & Linux.IFF_UP) != 0;
    }

    /**
     * The link in {@code r}'s current message ({@code RTM_NEWLINK} or {@code RTM_DELLINK}), or
     * {@code null} when it is another message, too short, or names no interface. Allocates (the name).
     */
    static Link parse(NetlinkReader r, AttributeReader attrs) {
        int type = r.type();
        if (type != RTM_NEWLINK && type != RTM_DELLINK || r.payloadLength() < IFINFOMSG_LEN) {
            return null;
        }
        byte[] b = r.buffer();
        int p = r.payloadOffset();
        int index = Bytes.hostInt(b, p + 4);
        int flags = Bytes.hostInt(b, p + 8);
        String name = null;
        long mac = -1;
        attrs.reset(b, p + IFINFOMSG_LEN, r.payloadLength() - IFINFOMSG_LEN);
        while (attrs.next()) {
            if (attrs.type() == IFLA_IFNAME) {
                name = attrs.string();
            } else if (attrs.type() == IFLA_ADDRESS && attrs.valueLength() == 6) {
                mac = 0;
                for (int i = 0; i < 6; i++) {
                    mac = mac << 8 | (b[attrs.valueOffset() + i] & 0xff);
                }
            }
        }
        return name == null ? null : new Link(index, name, flags, mac, type == RTM_DELLINK);
    }
}
