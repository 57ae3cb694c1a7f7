package dev.pmtud.app.rules;

import static dev.pmtud.app.rules.RuleManagerConfigTest.root;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.sys.Linux;
import dev.pmtud.sys.Sys;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Checksums;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.RecordingMetrics;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** RuleManager against real iptables in a throwaway namespace: the host's rules are never touched. */
@Tag("netns")
class RuleManagerNetnsTest {

    private static RuleManager manager(Netns ns, String v4, String v6, String... excluded) {
        Cfg.Lines c = Cfg.lines();
        return Rules.iptablesIn(ns, Rules.fromConfig(root(c, "33", c.map("manage", "true", "interface", "eth0",
                        "exclude-sources", c.list((Object[]) excluded)))).orElseThrow(), v4, v6);
    }

    /** The pmtud-tagged lines of {@code -S} for the raw table. */
    private static List<String> ours(Netns ns, String binary) {
        return ns.exec(binary, "-t", "raw", "-S").stdout().lines()
                .filter(l -> l.contains("pmtud") || l.contains("PMTUD")).collect(Collectors.toList());
    }

    private static void ensureTwiceThenRemove(String v4, String v6) {
        try (Netns ns = Netns.create("rules")) {
            // Somebody else's rules in the same chain must survive remove().
            ns.exec(v4, "-t", "raw", "-A", "PREROUTING", "-p", "icmp", "-j", "NFLOG", "--nflog-group", "33");
            ns.exec(v4, "-t", "raw", "-A", "PREROUTING", "-p", "icmp", "-m", "comment", "--comment", "pmtud", "-j", "NFLOG", "--nflog-group", "34");
            RuleManager m = manager(ns, v4, v6, "192.0.2.0/24", "198.51.100.0/24", "2001:db8:ee::/48");
            m.ensure();
            m.ensure();
            String tag = "\"pmtud " + m.owner().id() + "\"";
            List<String> expected4 = List.of(
                    "-N PMTUD-33",
                    "-A PREROUTING -p icmp -m comment --comment pmtud -j NFLOG --nflog-group 34",
                    "-A PREROUTING -i eth0 -p icmp -m icmp --icmp-type 3/4 -m comment --comment " + tag + " -j PMTUD-33",
                    "-A PMTUD-33 -s 192.0.2.0/24 -m comment --comment " + tag + " -j RETURN",
                    "-A PMTUD-33 -s 198.51.100.0/24 -m comment --comment " + tag + " -j RETURN",
                    "-A PMTUD-33 -m comment --comment " + tag + " -j NFLOG --nflog-group 33");
            assertEquals(expected4, ours(ns, v4));
            List<String> v6rules = ours(ns, v6);
            assertEquals(1, v6rules.size(), v6rules.toString());
            // ip6tables lists the source before the interface
            assertTrue(v6rules.get(0).matches("-A PREROUTING (-i eth0 ! -s 2001:db8:ee::/48|! -s 2001:db8:ee::/48 -i eth0) -p (icmpv6|ipv6-icmp) -m icmp6 "
                    + "--icmpv6-type 2/0 -m comment --comment " + tag + " -j NFLOG --nflog-group 33"), v6rules.get(0));

            m.remove();
            assertEquals(List.of("-A PREROUTING -p icmp -m comment --comment pmtud -j NFLOG --nflog-group 34"), ours(ns, v4));
            assertEquals(List.of(), ours(ns, v6));
            assertTrue(ns.exec(v4, "-t", "raw", "-S", "PREROUTING").stdout().contains("-A PREROUTING -p icmp -j NFLOG --nflog-group 33"),
                    "a rule without the pmtud comment is not ours");
            m.remove(); // idempotent
        }
    }

    @Test
    void ensureTwiceLeavesOneRuleSetAndRemoveLeavesNone() {
        Netns.assumeRoot();
        ensureTwiceThenRemove(Iptables.detect("iptables"), Iptables.detect("ip6tables"));
    }

    @Test
    void legacyBackendWorksToo() {
        Netns.assumeRoot();
        Assumptions.assumeTrue(Iptables.onPath("iptables-legacy") && Iptables.onPath("ip6tables-legacy"), "no iptables-legacy installed");
        try (Netns probe = Netns.create("probe")) {
            boolean works = probe.execAllowingFailure("iptables-legacy", "-t", "raw", "-S").exitCode() == 0
                    && probe.execAllowingFailure("ip6tables-legacy", "-t", "raw", "-S").exitCode() == 0;
            if (!works) {
                System.err.println("!!! SKIPPED: this kernel has no legacy ip_tables raw table");
            }
            Assumptions.assumeTrue(works, "SKIPPED LOUDLY: kernel lacks the legacy raw table");
        }
        ensureTwiceThenRemove("iptables-legacy", "ip6tables-legacy");
    }

    @Test
    void ruleDeletedUnderARunningWatchComesBackAndIsCounted() {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("watch")) {
            String v4 = Iptables.detect("iptables");
            RuleManager m = manager(ns, v4, Iptables.detect("ip6tables"), "192.0.2.0/24");
            m.ensure();
            RecordingMetrics metrics = new RecordingMetrics();
            m.startWatch(java.time.Duration.ofMillis(100), metrics);
            String[] rule = {"-i", "eth0", "!", "-s", "192.0.2.0/24", "-p", "icmp", "-m", "icmp", "--icmp-type", "3/4",
                    "-m", "comment", "--comment", "pmtud " + m.owner().id(), "-j", "NFLOG", "--nflog-group", "33"};
            String[] del = concat(new String[] {v4, "-w", "-t", "raw", "-D", "PREROUTING"}, rule);
            String[] check = concat(new String[] {v4, "-w", "-t", "raw", "-C", "PREROUTING"}, rule);
            ns.exec(del);
            String restored = "pmtud_rules_restored_total";
            assertTrue(metrics.has(restored), "the watch registers pmtud_rules_restored_total");
            Await.until(Duration.ofSeconds(10), "the deleted rule to be restored", () -> metrics.count(restored) >= 1);
            assertEquals(0, ns.execAllowingFailure(check).exitCode(), "rule is back");
            assertEquals(1, ours(ns, v4).size(), "exactly one rule, not one per check");
            m.close(); // manage: true -> removes
            assertEquals(List.of(), ours(ns, v4));
            assertEquals(1, metrics.count(restored));
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Opens a raw IPv4 socket in the calling thread's namespace and sends one packet. */
    private static void sendRaw(int fd, byte[] packet) throws Exception {
        Pointer buf = Sys.allocateDirect(packet.length);
        buf.put(0, packet, 0, packet.length);
        Pointer sin = Sys.allocateDirect(Linux.SOCKADDR_IN_SIZE);
        sin.putShort(0, (short) Linux.AF_INET);
        sin.put(4, packet, 16, 4);
        Sys.check(Sys.LIBC.sendto(fd, buf, packet.length, 0, sin, Linux.SOCKADDR_IN_SIZE), "sendto");
    }

    private static byte[] withId(byte[] ip) {
        ip[4] = 0x11;
        ip[5] = 0x22;
        ip[10] = 0;
        ip[11] = 0;
        int sum = Checksums.internet(ip, 0, 20);
        ip[10] = (byte) (sum >>> 8);
        ip[11] = (byte) sum;
        return ip;
    }

    @Test
    void twoExcludedNetworksAreBothExcluded() throws Exception {
        Netns.assumeRoot();
        try (Netns node = Netns.create("node"); Netns peer = Netns.create("peer")) {
            Netns.veth(node, "eth0", peer, "eth0");
            node.exec("ip", "addr", "add", "192.0.2.1/24", "dev", "eth0");
            peer.exec("ip", "addr", "add", "192.0.2.2/24", "dev", "eth0");
            String nodeMac = node.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
            peer.exec("ip", "neigh", "replace", "192.0.2.1", "lladdr", nodeMac, "dev", "eth0", "nud", "permanent");
            RuleManager m = manager(node, Iptables.detect("iptables"), Iptables.detect("ip6tables"), "198.51.100.0/24", "203.0.113.0/25");
            m.ensure();
            NflogReceiver seen = NflogReceiver.open(node);
            try {
                byte[] marker = withId(Ptb.v4().from("203.0.113.200").to("192.0.2.1").mtu(1300).build());
                peer.call(() -> {
                    int fd = Sys.check(Sys.LIBC.socket(Linux.AF_INET, Linux.SOCK_RAW, Linux.IPPROTO_RAW), "socket");
                    try {
                        sendRaw(fd, withId(Ptb.v4().from("198.51.100.7").to("192.0.2.1").build()));  // first network
                        sendRaw(fd, withId(Ptb.v4().from("203.0.113.7").to("192.0.2.1").build()));   // second network
                        sendRaw(fd, marker);                                                           // outside both
                    } finally {
                        Sys.LIBC.close(fd);
                    }
                    return null;
                });
                byte[] first = seen.poll(10, TimeUnit.SECONDS);
                assertNotNull(first, "marker not delivered");
                assertArrayEquals(marker, first, "a message from an excluded network was delivered");
                assertNull(seen.poll(0, TimeUnit.SECONDS));
            } finally {
                seen.close();
                m.close();
            }
        }
    }
}
