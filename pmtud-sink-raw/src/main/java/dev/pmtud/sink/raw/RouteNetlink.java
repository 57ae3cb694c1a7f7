package dev.pmtud.sink.raw;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.AttributeReader;
import dev.pmtud.sys.netlink.Bytes;
import dev.pmtud.sys.netlink.NetlinkReader;
import dev.pmtud.sys.netlink.NetlinkSocket;
import dev.pmtud.sys.netlink.NetlinkWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The two rtnetlink dumps the raw sink needs, neighbours ({@code RTM_GETNEIGH}) and local addresses
 * ({@code RTM_GETADDR}), over pmtud-native's netlink codec. The socket is opened in the caller's
 * network namespace and usable from the refresh thread afterwards. Control path: allocates freely.
 */
final class RouteNetlink implements AutoCloseable {
    /** NUD states in which the entry's link-layer address can be used. */
    static final int NUD_USABLE = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_NOARP | NUD_PERMANENT;

    private final NetlinkSocket socket;
    private final NetlinkWriter writer = new NetlinkWriter(256);
    private final AttributeReader attrs = new AttributeReader();

    /** One neighbour entry: its IP address, link-layer address (48-bit, -1 when none) and NUD state. */
    record Neighbour(InetAddress address, long mac, int state, int ifIndex) {
    }

    RouteNetlink() throws NativeException {
        socket = NetlinkSocket.open(Linux.NETLINK_ROUTE, 256 * 1024);
    }

    /** Every neighbour entry (IPv4 and IPv6) on {@code ifIndex} (0: any interface). */
    synchronized List<Neighbour> neighbours(int ifIndex) throws NativeException {
        writer.reset().begin(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, socket.nextSeq());
        int at = writer.reserve(NDMSG_LEN); // struct ndmsg, family AF_UNSPEC: both families
        Bytes.putHostInt(writer.array(), at + 4, ifIndex);
        writer.end();
        List<Neighbour> out = new ArrayList<>();
        socket.dump(writer, "RTM_GETNEIGH dump", (NetlinkReader r) -> {
            if (r.type() != RTM_NEWNEIGH || r.payloadLength() < NDMSG_LEN) {
                return;
            }
            byte[] b = r.buffer();
            int p = r.payloadOffset();
            int family = b[p] & 0xff;
            int index = Bytes.hostInt(b, p + 4);
            int state = Bytes.hostU16(b, p + 8);
            if (ifIndex != 0 && index != ifIndex || family != Linux.AF_INET && family != Linux.AF_INET6) {
                return;
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

    /** Every address configured on any interface of this namespace. */
    synchronized Set<InetAddress> localAddresses() throws NativeException {
        writer.reset().begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, socket.nextSeq());
        writer.reserve(IFADDRMSG_LEN); // struct ifaddrmsg, family AF_UNSPEC
        writer.end();
        Set<InetAddress> out = new HashSet<>();
        socket.dump(writer, "RTM_GETADDR dump", (NetlinkReader r) -> {
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

    /** Address to MAC for the entries whose link-layer address can be used now. */
    static Map<InetAddress, Long> macs(List<Neighbour> entries) {
        Map<InetAddress, Long> out = new HashMap<>();
        for (Neighbour n : entries) {
            if ((n.state() & NUD_USABLE) != 0 && n.mac() >= 0) {
                out.put(n.address(), n.mac());
            }
        }
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
