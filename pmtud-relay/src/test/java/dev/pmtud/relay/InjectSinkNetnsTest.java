package dev.pmtud.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeMemory;
import dev.pmtud.sys.SockAddr;
import dev.pmtud.sys.Sys;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The inject sink on a real TUN device: the kernel learns the MTU from what it writes; start and stop. */
@Tag("netns")
class InjectSinkNetnsTest {
    private static final String HOST_V4 = "192.0.2.1";
    private static final String CLIENT_V4 = "192.0.2.2";
    private static final String HOST_V6 = "2001:db8::1";
    private static final String CLIENT_V6 = "2001:db8::2";
    private static final int LOCAL_PORT = 5000;
    private static final int REMOTE_PORT = 6000;

    @Test
    void anInjectedFragNeededAndPacketTooBigReachTheSocketAndTheRouteLearnsTheMtu() throws Exception {
        Netns.assumeRoot();
        try (Netns host = Netns.create("inject-host"); Netns client = Netns.create("inject-client")) {
            Netns.veth(host, "eth0", client, "eth0");
            host.exec("ip", "addr", "add", HOST_V4 + "/24", "dev", "eth0");
            host.exec("ip", "addr", "add", HOST_V6 + "/64", "dev", "eth0", "nodad");
            client.exec("ip", "addr", "add", CLIENT_V4 + "/24", "dev", "eth0");
            client.exec("ip", "addr", "add", CLIENT_V6 + "/64", "dev", "eth0", "nodad");
            // the routers that report the MTU are reached through the client: routable, so loose rp_filter passes them
            host.exec("ip", "route", "add", "default", "via", CLIENT_V4);
            host.exec("ip", "-6", "route", "add", "default", "via", CLIENT_V6);
            host.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1");

            TestContext ctx = new TestContext("inject-host");
            InjectSink sink = (InjectSink) new InjectSinkFactory().create(Cfg.component("sinks", "inject"), ctx);
            try (Descriptor udp4 = host.call(() -> udpSocket(HOST_V4, CLIENT_V4, Linux.IPPROTO_IP, Linux.IP_MTU_DISCOVER, Linux.IP_PMTUDISC_DO));
                 Descriptor udp6 = host.call(() -> udpSocket(HOST_V6, CLIENT_V6, Linux.IPPROTO_IPV6, Linux.IPV6_MTU_DISCOVER, Linux.IPV6_PMTUDISC_DO))) {
                host.call(() -> {
                    sink.open();
                    return null;
                });
                assertEquals(java.util.Set.of("pmtud0"), sink.injectsInto());
                String link = host.exec("ip", "-o", "addr", "show", "dev", "pmtud0").stdout();
                assertTrue(link.contains("inet 169.254.254.1/32"), link);
                assertTrue(host.exec("ip", "-o", "link", "show", "pmtud0").stdout().contains(",UP"), "the device is up");
                assertEquals("2", host.exec("cat", "/proc/sys/net/ipv4/conf/pmtud0/rp_filter").stdout().trim());
                assertEquals("0", host.exec("cat", "/proc/sys/net/ipv6/conf/pmtud0/disable_ipv6").stdout().trim());

                assertFalse(routeGet(host, CLIENT_V4).contains("mtu 1400"), "no MTU known before");
                assertFalse(routeGet(host, CLIENT_V6).contains("mtu 1400"), "no MTU known before");
                assertEquals(1500, Sys.getIntOption(udp4.fd(), Linux.IPPROTO_IP, Linux.IP_MTU, "IP_MTU"), "the link's MTU before");
                sink.send(packet(Ptb.v4().from("203.0.113.1").to(HOST_V4).mtu(1400)
                        .udp(HOST_V4, LOCAL_PORT, CLIENT_V4, REMOTE_PORT).build()));
                sink.send(packet(Ptb.v6().from("2001:db8:ff::1").to(HOST_V6).mtu(1400)
                        .udp(HOST_V6, LOCAL_PORT, CLIENT_V6, REMOTE_PORT).build()));
                dev.pmtud.testkit.Await.until(java.time.Duration.ofSeconds(10), "the IPv4 route to learn mtu 1400",
                        () -> routeGet(host, CLIENT_V4).contains("mtu 1400"));
                dev.pmtud.testkit.Await.until(java.time.Duration.ofSeconds(10), "the IPv6 route to learn mtu 1400",
                        () -> routeGet(host, CLIENT_V6).contains("mtu 1400"));
                // and the sockets the messages were about know it themselves
                assertEquals(1400, Sys.getIntOption(udp4.fd(), Linux.IPPROTO_IP, Linux.IP_MTU, "IP_MTU"));
                assertEquals(1400, Sys.getIntOption(udp6.fd(), Linux.IPPROTO_IPV6, Linux.IPV6_MTU, "IPV6_MTU"));
                assertEquals(2, ctx.metrics().count(InjectSink.WRITTEN, "node", "inject-host", "sink", "inject"));

                // a failed write is counted by errno and thrown, for the runtime's sink error count
                host.exec("ip", "link", "set", "pmtud0", "down");
                IOException down = assertThrows(IOException.class, () -> sink.send(packet(Ptb.v4().to(HOST_V4).build())));
                assertEquals(1, ctx.metrics().count(InjectSink.ERRORS, "node", "inject-host", "sink", "inject", "errno", "EIO"),
                        () -> down.getMessage() + "; " + ctx.metrics());
                assertEquals(2, ctx.metrics().count(InjectSink.WRITTEN, "node", "inject-host", "sink", "inject"));
                host.exec("ip", "link", "set", "pmtud0", "up");

                // a second inject sink on the same device name is refused, and does not touch the first one's device
                InjectSink second = (InjectSink) new InjectSinkFactory().create(Cfg.component("sinks", "inject"), new TestContext());
                IOException e = assertThrows(IOException.class, () -> host.call(() -> {
                    second.open();
                    return null;
                }));
                assertEquals("inject sink inject: device pmtud0 already exists; another pmtud is probably running "
                        + "(`ip link show pmtud0`); pmtud only uses a device it creates: stop the other one or set device: "
                        + "to another name", e.getMessage());
                second.close();
                assertEquals(0, host.execAllowingFailure("ip", "link", "show", "pmtud0").exitCode(), "still there");
            } finally {
                sink.close();
            }
            // close() returned only once the device was gone
            Cmd.Result gone = host.execAllowingFailure("ip", "link", "show", "pmtud0");
            assertTrue(gone.exitCode() != 0 && gone.stderr().contains("does not exist"), gone.toString());
        }
    }

    @Test
    void aDeviceSomeoneElseMadeIsRefusedAndLeftAlone() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("inject-taken")) {
            // a persistent TUN device: the kind TUNSETIFF would attach to, were the name not checked (and IFF_TUN_EXCL set)
            ns.exec("ip", "tuntap", "add", "dev", "pmtud0", "mode", "tun");
            InjectSink sink = (InjectSink) new InjectSinkFactory().create(Cfg.component("sinks", "inject"), new TestContext());
            IOException e = assertThrows(IOException.class, () -> ns.call(() -> {
                sink.open();
                return null;
            }));
            assertTrue(e.getMessage().startsWith("inject sink inject: device pmtud0 already exists; another pmtud is probably running"),
                    e.getMessage());
            sink.close();
            // and Tun on its own never attaches to it either: IFF_TUN_EXCL
            dev.pmtud.sys.NativeException busy = assertThrows(dev.pmtud.sys.NativeException.class,
                    () -> ns.call(() -> dev.pmtud.sys.Tun.create("pmtud0")));
            assertEquals(dev.pmtud.sys.Errno.EBUSY, busy.errno(), busy.getMessage());
            String link = ns.exec("ip", "-d", "link", "show", "pmtud0").stdout();
            assertTrue(link.contains("tun type tun") && link.contains("persist on"), "the other device is still there: " + link);
            assertFalse(ns.exec("ip", "addr", "show", "dev", "pmtud0").stdout().contains("169.254.254.1"), "and untouched");
        }
    }

    @Test
    void aMissingCloneDeviceIsOneClearLine() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("inject-notun")) {
            InjectSink sink = InjectSinkFactory.create(Cfg.component("sinks", "inject"), new TestContext(), "/nonexistent/net/tun");
            IOException e = assertThrows(IOException.class, () -> ns.call(() -> {
                sink.open();
                return null;
            }));
            assertEquals("inject sink inject: /nonexistent/net/tun is missing (ENOENT); load the tun module (modprobe tun) "
                    + "or, in a container, mount the host's /dev/net/tun", e.getMessage());
            sink.close();
        }
    }

    @Test
    void withoutCapNetAdminStartIsRefusedWithOneLine() throws Exception {
        Netns.assumeRoot();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv"))
                        || Files.isExecutable(Path.of("/bin/setpriv")),
                "SKIPPED LOUDLY: setpriv (util-linux) is needed to drop CAP_NET_ADMIN");
        try (Netns ns = Netns.create("inject-unpriv")) {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(),
                    "setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin",
                    java, "-cp", System.getProperty("java.class.path"), InjectOpenCheck.class.getName(), "pmtud0"));
            Cmd.Result r = Cmd.exec(cmd, 60);
            assertEquals("ERROR: inject sink inject: creating the TUN device pmtud0 needs CAP_NET_ADMIN (EPERM); run as root "
                    + "or grant the capability", r.stdout().trim(), "stderr: " + r.stderr());
            assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
            // with the capability the same check opens, and closing removes the device
            Cmd.Result ok = Cmd.exec(List.of("ip", "netns", "exec", ns.name(), java, "-cp",
                    System.getProperty("java.class.path"), InjectOpenCheck.class.getName(), "pmtud0"), 60);
            assertEquals("OPENED", ok.stdout().trim(), "stderr: " + ok.stderr());
            assertTrue(ns.execAllowingFailure("ip", "link", "show", "pmtud0").exitCode() != 0, "gone after close");
        }
    }

    /**
     * What a container gives pmtud: /proc/sys read-only (a bind mount, as runc makes it) and
     * CAP_NET_ADMIN. rp_filter=2 still gets set (over rtnetlink: the only way the sink sets it), and
     * IPv6, which no rtnetlink attribute can enable, is checked: right by default, nothing to write;
     * wrong (net.ipv6.conf.default.disable_ipv6=1 here) and not writable, a warning and IPv6 messages
     * counted as EAFNOSUPPORT instead of written, while IPv4 keeps working.
     */
    @Test
    void withReadOnlyProcSysRpFilterComesOverRtnetlinkAndIpv6IsOnlyCheckedOrCounted() throws Exception {
        Netns.assumeRoot();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")),
                "SKIPPED LOUDLY: unshare (util-linux) is needed to mount /proc/sys read-only");
        try (Netns ns = Netns.create("inject-ro")) {
            ns.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1");
            assertEquals("OPENED rp_filter=2 disable_ipv6=0 written=2 ipv6-refused=0 ipv6-problem=none", readOnlyProcSysCheck(ns),
                    "IPv6 already on: nothing to write");
            ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            String wrong = readOnlyProcSysCheck(ns);
            assertTrue(wrong.startsWith("OPENED rp_filter=2 disable_ipv6=1 written=1 ipv6-refused=1 ipv6-problem=IPv6 is disabled on "
                    + "pmtud0 (net.ipv6.conf.pmtud0.disable_ipv6=1, inherited from net.ipv6.conf.default.disable_ipv6) and "
                    + "/proc/sys/net/ipv6/conf/pmtud0/disable_ipv6 cannot be written here"), wrong);
            assertTrue(wrong.endsWith("set net.ipv6.conf.default.disable_ipv6=0 on the node"), wrong);
            assertTrue(ns.execAllowingFailure("ip", "link", "show", "pmtud0").exitCode() != 0, "gone after close");
        }
    }

    /** InjectOpenCheck --send in {@code ns} with /proc/sys bind-mounted read-only; fails unless it really is read-only. */
    private static String readOnlyProcSysCheck(Netns ns) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String script = "mount -o bind,ro /proc/sys /proc/sys || exit 3; "
                + "if (echo 1 > /proc/sys/net/ipv4/conf/lo/rp_filter) 2>/dev/null; then echo PROC_SYS_WRITABLE; exit 4; fi; "
                + "exec \"$0\" -cp \"$1\" " + InjectOpenCheck.class.getName() + " pmtud0 --send";
        Cmd.Result r = Cmd.exec(List.of("ip", "netns", "exec", ns.name(), "unshare", "--mount", "--propagation", "private",
                "sh", "-c", script, java, System.getProperty("java.class.path")), 60);
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout().trim();
    }

    private static String routeGet(Netns ns, String to) {
        return ns.exec("ip", to.contains(":") ? "-6" : "-4", "route", "get", to).stdout();
    }

    private static Packet packet(byte[] l3) {
        Packet p = new Packet().wrap(l3, 0, l3.length, LinkType.RAW, 1L);
        assertTrue(p.decode(), p.invalidReason());
        return p;
    }

    /** A UDP socket from {@code address:LOCAL_PORT} connected to {@code remote:REMOTE_PORT}, path-MTU discovery on. */
    private static Descriptor udpSocket(String address, String remote, int level, int option, int value) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        Descriptor d = Descriptor.socket(a.getAddress().length == 4 ? Linux.AF_INET : Linux.AF_INET6, Linux.SOCK_DGRAM, 0, "udp");
        Sys.setIntOption(d.fd(), level, option, value, "MTU_DISCOVER");
        try (NativeMemory sa = NativeMemory.allocate(SockAddr.MAX_SIZE)) {
            int len = SockAddr.write(sa.pointer(), 0, a, LOCAL_PORT);
            Sys.check(Sys.LIBC.bind(d.fd(), sa.pointer(), len), "bind " + address);
            len = SockAddr.write(sa.pointer(), 0, InetAddress.getByName(remote), REMOTE_PORT);
            Sys.check(Sys.LIBC.connect(d.fd(), sa.pointer(), len), "connect " + remote);
        }
        return d;
    }
}
