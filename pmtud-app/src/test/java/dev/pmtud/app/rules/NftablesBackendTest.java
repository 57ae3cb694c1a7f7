package dev.pmtud.app.rules;

import static dev.pmtud.app.rules.RuleManagerConfigTest.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.NativeException;
import dev.pmtud.testkit.Cfg;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The nftables backend without a kernel: configuration, what it prints, how failures read. */
class NftablesBackendTest {

    private static RuleManager nftables(Cfg.Lines c, ConfigNode rules) {
        return Rules.fromConfig(root(c, "33", rules)).orElseThrow();
    }

    @Test
    void printShowsTheTableInNftSyntaxWithEveryExclusionAsAConjunction() {
        Cfg.Lines c = Cfg.lines();
        RuleManager m = nftables(c, c.map("backend", "nftables", "interface", "eth0",
                "exclude-sources", c.list("192.0.2.0/24", "198.51.100.0/24", "2001:db8:ee::/48", "2001:db8:ff::/48")));
        assertEquals("nftables", m.backendName());
        List<String> p = m.commands("print");
        assertEquals(9, p.size(), String.join("\n", p));
        assertEquals(List.of("table inet pmtud {", "\tcomment \"pmtud\"", "\tchain capture-33 {", "\t\tcomment \"pmtud\"",
                "\t\ttype filter hook prerouting priority raw; policy accept;"), p.subList(0, 5));
        assertTrue(p.get(5).matches("\t\tiifname \"eth0\" icmp type destination-unreachable icmp code frag-needed "
                + "ip saddr != 192\\.0\\.2\\.0/24 ip saddr != 198\\.51\\.100\\.0/24 log group 33 comment \"pmtud [0-9a-f]{8} " + m.owner().id() + "\""), p.get(5));
        assertTrue(p.get(6).matches("\t\tiifname \"eth0\" icmpv6 type packet-too-big icmpv6 code no-route "
                + "ip6 saddr != 2001:db8:ee::/48 ip6 saddr != 2001:db8:ff::/48 log group 33 comment \"pmtud [0-9a-f]{8} " + m.owner().id() + "\""), p.get(6));
        assertEquals(List.of("\t}", "}"), p.subList(7, 9));
        assertEquals(List.of("delete chain inet pmtud capture-33", "delete table inet pmtud    # when nothing else is left in it"),
                m.commands("remove"));
    }

    @Test
    void aChangedRuleHasAnotherFingerprintSoEnsureReplacesIt() {
        Cfg.Lines c = Cfg.lines();
        RuleManager a = nftables(c, c.map("backend", "nftables", "interface", "eth0", "exclude-sources", c.list("192.0.2.0/24")));
        Cfg.Lines d = Cfg.lines();
        RuleManager b = nftables(d, d.map("backend", "nftables", "interface", "eth0", "exclude-sources", d.list("192.0.2.0/25")));
        String fa = a.commands("print").get(5).split("comment \"pmtud ")[1].split(" ")[0];
        String fb = b.commands("print").get(5).split("comment \"pmtud ")[1].split(" ")[0];
        assertNotEquals(fa, fb, "the fingerprints differ");
        assertEquals(a.commands("print"), a.commands("print"), "the same configuration, the same rule");
    }

    @Test
    void mangleTableMeansManglePriorityAndFamiliesFollowTheSource() {
        Cfg.Lines c = Cfg.lines();
        ConfigNode root = c.map("sources", c.list(c.map("type", "nflog", "group", "40", "families", c.list("ipv6"))),
                "rules", c.map("backend", "nftables", "interface", "bond0", "table", "mangle"));
        List<String> p = Rules.fromConfig(root).orElseThrow().commands("print");
        assertEquals("\t\ttype filter hook prerouting priority mangle; policy accept;", p.get(4));
        assertTrue(p.get(5).startsWith("\t\tiifname \"bond0\" icmpv6 type packet-too-big icmpv6 code no-route log group 40 comment"), p.get(5));
        assertEquals("\t}", p.get(6), "ipv6 only: one rule");
    }

    @Test
    void badBackendNamesFileLineAndChoices() {
        Cfg.Lines c = Cfg.lines();
        ConfigNode rules = c.map("backend", "nft");
        ConfigException e = assertThrows(ConfigException.class, () -> Rules.fromConfig(root(c, "33", rules)));
        assertEquals(Cfg.FILE + ":" + rules.get("backend").line() + ": rules: 'backend' is 'nft'; allowed: auto, nftables, iptables", e.getMessage());
    }

    @Test
    void explicitIptablesKeepsTheIptablesRules() {
        Cfg.Lines c = Cfg.lines();
        RuleManager m = nftables(c, c.map("backend", "iptables", "interface", "eth0", "exclude-sources", c.list("192.0.2.0/24")));
        assertEquals("iptables", m.backendName());
        assertTrue(m.commands("print").get(0).endsWith("-t raw -A PREROUTING -i eth0 ! -s 192.0.2.0/24 -p icmp -m icmp --icmp-type 3/4 "
                + "-m comment --comment \"pmtud " + m.owner().id() + "\" -j NFLOG --nflog-group 33"), m.commands("print").get(0));
    }

    @Test
    void kernelRefusalsBecomeOneLineWithTheFix() {
        assertEquals("nftables: add table inet pmtud: EPERM (Operation not permitted); managing the capture rule needs CAP_NET_ADMIN "
                + "(run as root or add the capability)",
                NftablesBackend.failure(new NativeException("nftables: add table inet pmtud", Errno.EPERM)).getMessage());
        assertEquals("nftables: get ruleset generation: EINVAL (Invalid argument); this kernel has no nf_tables: set rules.backend: iptables",
                NftablesBackend.failure(new NativeException("nftables: get ruleset generation", Errno.EINVAL)).getMessage());
        assertEquals("nftables: add rule inet pmtud capture-33 x: ENOENT (No such file or directory)",
                NftablesBackend.failure(new NativeException("nftables: add rule inet pmtud capture-33 x", Errno.ENOENT)).getMessage());
    }
}
