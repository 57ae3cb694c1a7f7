package dev.pmtud.sys.netlink;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rtnetlink requests pmtud makes on links, addresses and neighbours, instead of running
 * {@code ip}: look a link up by name or index, add an address, bring a link up, set and read a
 * link's IPv4 settings, list this namespace's addresses, list the neighbour table. Each request is
 * acknowledged; a refusal throws {@link NativeException} with the kernel's errno.
 *
 * <p>Opened in the caller's network namespace and bound to it for good, so any thread may use it
 * later (one at a time: the methods are synchronized). Control path: allocates freely.
 */
public final class Rtnetlink implements AutoCloseable {
    private final NetlinkSocket socket;
    private final NetlinkWriter writer = new NetlinkWriter(256);
    private final AttributeReader attrs = new AttributeReader();

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static Rtnetlink open() throws NativeException {
        return new Rtnetlink(NetlinkSocket.open(Linux.NETLINK_ROUTE, 64 * 1024));
    }

    /** The index of link {@code name}, or 0 when there is none ({@code RTM_GETLINK} by name). */
    public synchronized int linkIndex(String name) throws NativeException {
        writer.reset().begin(RTM_GETLINK, NLM_F_REQUEST, socket.nextSeq());
        writer.reserve(IFINFOMSG_LEN); // family AF_UNSPEC, index 0: look up by IFLA_IFNAME
        writer.attrString(IFLA_IFNAME, name);
        writer.end();
        return getLink("RTM_GETLINK " + name);
    }

    /** Whether a link with this index exists. */
    public synchronized boolean linkExists(int index) throws NativeException {
        writer.reset().begin(RTM_GETLINK, NLM_F_REQUEST, socket.nextSeq());
        int at = writer.reserve(IFINFOMSG_LEN);
        Bytes.putHostInt(writer.array(), at + 4, index);
        writer.end();
        return getLink("RTM_GETLINK index " + index) != 0;
    }

    private int getLink(String operation) throws NativeException {
        int[] index = {0};
        try {
            socket.dump(writer, operation, r -> {
                if (r.type() == RTM_NEWLINK && r.payloadLength() >= IFINFOMSG_LEN) {
                    index[0] = Bytes.hostInt(r.buffer(), r.payloadOffset() + 4);
                }
            });
        } catch (NativeException e) {
            if (e.errno() == Errno.ENODEV) {
                return 0;
            }
            throw e;
        }
        return index[0];
    }

    /** Adds {@code address/prefixLength} to link {@code index} ({@code RTM_NEWADDR}, create, exclusive). */
    public synchronized void addAddress(int index, InetAddress address, int prefixLength) throws NativeException {
        byte[] a = address.getAddress();
        writer.reset().begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, socket.nextSeq());
        int at = writer.reserve(IFADDRMSG_LEN);
        byte[] b = writer.array();
        b[at] = (byte) (address instanceof Inet4Address ? Linux.AF_INET : Linux.AF_INET6);
        b[at + 1] = (byte) prefixLength;
        b[at + 3] = (byte) RT_SCOPE_UNIVERSE;
        Bytes.putHostInt(b, at + 4, index);
        writer.attr(IFA_LOCAL, a).attr(IFA_ADDRESS, a).end();
        socket.request(writer, "RTM_NEWADDR " + address.getHostAddress() + "/" + prefixLength + " on index " + index);
    }

    /** Sets link {@code index} up ({@code RTM_NEWLINK} changing only IFF_UP). */
    public synchronized void setUp(int index) throws NativeException {
        writer.reset().begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, socket.nextSeq());
        int at = writer.reserve(IFINFOMSG_LEN);
        byte[] b = writer.array();
        Bytes.putHostInt(b, at + 4, index);
        Bytes.putHostInt(b, at + 8, Linux.IFF_UP);   // ifi_flags
        Bytes.putHostInt(b, at + 12, Linux.IFF_UP);  // ifi_change: only this bit
        writer.end();
        socket.request(writer, "RTM_NEWLINK up, index " + index);
    }

    /**
     * Sets one IPv4 setting of link {@code index} ({@code net.ipv4.conf.DEV.*}; {@code devconf} is an
     * {@code IPV4_DEVCONF_*} id like {@link Netlink#IPV4_DEVCONF_RP_FILTER}): {@code RTM_NEWLINK} with
     * {@code IFLA_AF_SPEC / AF_INET / IFLA_INET_CONF / devconf = value}, what the kernel's
     * {@code inet_set_link_af()} applies. Needs CAP_NET_ADMIN only, not a writable /proc/sys
     * (containers mount it read-only).
     */
    public synchronized void setIpv4Conf(int index, int devconf, int value) throws NativeException {
        ipv4ConfRequest(writer.reset(), socket.nextSeq(), index, devconf, value);
        socket.request(writer, "RTM_NEWLINK IPv4 setting " + devconf + " = " + value + ", index " + index);
    }

    /** The request {@link #setIpv4Conf} sends (package-private: its layout is checked byte for byte). */
    static NetlinkWriter ipv4ConfRequest(NetlinkWriter w, int seq, int index, int devconf, int value) {
        w.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
        int at = w.reserve(IFINFOMSG_LEN); // family AF_UNSPEC, flags and change 0: nothing but the settings
        Bytes.putHostInt(w.array(), at + 4, index);
        int afSpec = w.beginNested(IFLA_AF_SPEC);
        int inet = w.beginNested(Linux.AF_INET);
        int conf = w.beginNested(IFLA_INET_CONF);
        w.attrU32(devconf, value);
        return w.endNested(conf).endNested(inet).endNested(afSpec).end();
    }

    /**
     * One IPv4 setting of link {@code index} as the kernel holds it ({@code RTM_GETLINK}; the answer's
     * {@code IFLA_AF_SPEC / AF_INET / IFLA_INET_CONF} array), or -1 when the link has no IPv4 settings.
     */
    public synchronized int ipv4Conf(int index, int devconf) throws NativeException {
        writer.reset().begin(RTM_GETLINK, NLM_F_REQUEST, socket.nextSeq());
        int at = writer.reserve(IFINFOMSG_LEN);
        Bytes.putHostInt(writer.array(), at + 4, index);
        writer.end();
        int[] value = {-1};
        AttributeReader afSpec = new AttributeReader();
        AttributeReader inet = new AttributeReader();
        socket.dump(writer, "RTM_GETLINK index " + index, r -> {
            if (r.type() != RTM_NEWLINK || r.payloadLength() < IFINFOMSG_LEN) {
                return;
            }
            byte[] b = r.buffer();
            attrs.reset(b, r.payloadOffset() + IFINFOMSG_LEN, r.payloadLength() - IFINFOMSG_LEN);
            while (attrs.next()) {
                if (attrs.type() != IFLA_AF_SPEC) {
                    continue;
                }
                attrs.nested(afSpec);
                while (afSpec.next()) {
                    if (afSpec.type() != Linux.AF_INET) {
                        continue;
                    }
                    afSpec.nested(inet);
                    while (inet.next()) {
                        int offset = (devconf - 1) * 4;
                        if (inet.type() == IFLA_INET_CONF && devconf >= 1 && offset + 4 <= inet.valueLength()) {
                            value[0] = Bytes.hostInt(b, inet.valueOffset() + offset);
                        }
                    }
                }
            }
        });
        return value[0];
    }

    /** Every address configured on any link of this namespace (IPv4 and IPv6). */
    public synchronized Set<InetAddress> localAddresses() throws NativeException {
        writer.reset().begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, socket.nextSeq());
        writer.reserve(IFADDRMSG_LEN); // family AF_UNSPEC: both
        writer.end();
        Set<InetAddress> out = new HashSet<>();
        socket.dump(writer, "RTM_GETADDR dump", r -> {
            if (r.type() != RTM_NEWADDR || r.payloadLength() < IFADDRMSG_LEN) {
                return;
            }
            byte[] b = r.buffer();
            attrs.reset(b, r.payloadOffset() + IFADDRMSG_LEN, r.payloadLength() - IFADDRMSG_LEN);
            while (attrs.next()) {
                int len = attrs.valueLength();
                if ((attrs.type() == IFA_ADDRESS || attrs.type() == IFA_LOCAL) && (len == 4 || len == 16)) {
                    out.add(address(Arrays.copyOfRange(b, attrs.valueOffset(), attrs.valueOffset() + len)));
                }
            }
        });
        return out;
    }

    /** Every neighbour entry (IPv4 and IPv6) on link {@code ifIndex} (0: on any link), {@code RTM_GETNEIGH} dump. */
    public synchronized List<Neighbour> neighbours(int ifIndex) throws NativeException {
        writer.reset().begin(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, socket.nextSeq());
        int at = writer.reserve(NDMSG_LEN); // struct ndmsg, family AF_UNSPEC: both families
        Bytes.putHostInt(writer.array(), at + 4, ifIndex);
        writer.end();
        List<Neighbour> out = new ArrayList<>();
        socket.dump(writer, "RTM_GETNEIGH dump", r -> {
            if (r.type() != RTM_NEWNEIGH || r.payloadLength() < NDMSG_LEN) {
                return;
            }
            byte[] b = r.buffer();
            int p = r.payloadOffset();
            int family = b[p] & 0xff;
            int index = Bytes.hostInt(b, p + 4);
            int state = Bytes.hostU16(b, p + 8);
            if (ifIndex != 0 && index != ifIndex || family != Linux.AF_INET && family != Linux.AF_INET6) {
                return; // older kernels ignore the index filter; bridge (AF_BRIDGE) entries are not IP neighbours
            }
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
            if (dst != null) {
                out.add(new Neighbour(address(dst), mac, state, index));
            }
        });
        return out;
    }

    private static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
