package dev.pmtud.sys.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.Sys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Talks to the real kernel over NETLINK_ROUTE (read-only: link dumps). */
class NetlinkSocketTest {

    @Test
    void dumpsLinksAndFindsLoopbackByIndex() throws Exception {
        int loIndex = Sys.LIBC.if_nametoindex("lo");
        try (NetlinkSocket s = NetlinkSocket.open(Linux.NETLINK_ROUTE)) {
            assertNotEquals(0, s.portId());
            NetlinkWriter w = new NetlinkWriter();
            w.begin(Netlink.RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, s.nextSeq());
            w.reserve(Netlink.IFINFOMSG_LEN);
            w.end();
            Map<Integer, String> names = new HashMap<>();
            AttributeReader a = new AttributeReader();
            s.dump(w, "RTM_GETLINK dump", r -> {
                int index = Bytes.hostInt(r.buffer(), r.payloadOffset() + 4);
                a.reset(r.buffer(), r.payloadOffset() + Netlink.IFINFOMSG_LEN, r.payloadLength() - Netlink.IFINFOMSG_LEN);
                while (a.next()) {
                    if (a.type() == Netlink.IFLA_IFNAME) {
                        names.put(index, a.string());
                    }
                }
            });
            assertEquals("lo", names.get(loIndex));
        }
    }

    /** The IPv4 settings in a link's RTM_GETLINK answer are the ones /proc/sys shows (loopback's rp_filter). */
    @Test
    void readsALinksIpv4SettingAsProcSysShowsIt() throws Exception {
        int loIndex = Sys.LIBC.if_nametoindex("lo");
        int expected = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/conf/lo/rp_filter")).trim());
        try (Rtnetlink rt = Rtnetlink.open()) {
            assertEquals(expected, rt.ipv4Conf(loIndex, Netlink.IPV4_DEVCONF_RP_FILTER));
        }
    }

    @Test
    void kernelErrorBecomesNativeExceptionWithErrnoNameAndText() throws Exception {
        try (NetlinkSocket s = NetlinkSocket.open(Linux.NETLINK_ROUTE)) {
            NetlinkWriter w = new NetlinkWriter();
            // RTM_GETLINK for an interface index that cannot exist: the kernel answers ENODEV.
            w.begin(Netlink.RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, s.nextSeq());
            int at = w.reserve(Netlink.IFINFOMSG_LEN);
            Bytes.putHostInt(w.array(), at + 4, 0x7ffffff0);
            w.end();
            NativeException e = assertThrows(NativeException.class, () -> s.dump(w, "get link 0x7ffffff0", r -> { }));
            assertEquals(Errno.ENODEV, e.errno());
            assertTrue(e.getMessage().startsWith("get link 0x7ffffff0: ENODEV (No such device"), e.getMessage());
        }
    }
}
