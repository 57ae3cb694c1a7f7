package dev.pmtud.app.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.Cli;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.testkit.Cfg;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuleManagerConfigTest {

    /** A root with one nflog source (group) and the given rules block. */
    static ConfigNode root(Cfg.Lines c, String group, ConfigNode rules) {
        return c.map("sources", c.list(c.map("type", "nflog", "group", group)), "rules", rules);
    }

    private static RuleManager manager(ConfigNode root) {
        return Rules.fromConfig(root).orElseThrow().withCommandPrefix(List.of(), "iptables", "ip6tables");
    }

    /** The comment of {@code m}'s rules as a shell would quote it: {@code "pmtud OWNER"}. */
    private static String tag(RuleManager m) {
        return "\"pmtud " + m.owner().id() + "\"";
    }

    @Test
    void everyManagerIsAnOwnerOfItsOwnNamedByPidAndRandomBits() {
        Cfg.Lines c = Cfg.lines();
        RuleManager a = manager(root(c, "33", c.map("interface", "eth0")));
        Cfg.Lines d = Cfg.lines();
        RuleManager b = manager(root(d, "33", d.map("interface", "eth0")));
        String pid = String.valueOf(ProcessHandle.current().pid());
        assertTrue(a.owner().id().matches(pid + "-[0-9a-f]{8}"), a.owner().id());
        assertTrue(b.owner().id().matches(pid + "-[0-9a-f]{8}"), b.owner().id());
        assertNotEquals(a.owner(), b.owner(), "two runs in one process are two owners");
        assertTrue(RuleOwner.tagged("pmtud") && RuleOwner.tagged("pmtud 1a2b3c4d " + a.owner().id()) && !RuleOwner.tagged("pmtudx")
                && !RuleOwner.tagged(null));
        assertEquals(a.owner().id(), RuleOwner.word("pmtud 1a2b3c4d " + a.owner().id(), 1));
        assertEquals("", RuleOwner.word("pmtud 1a2b3c4d", 1), "an older pmtud's rule names no owner");
    }

    @Test
    void oneNetworkPerFamilyGivesTheSeedsRuleAndItsTwin() {
        Cfg.Lines c = Cfg.lines();
        RuleManager m = manager(root(c, "33", c.map("manage", "true", "interface", "eth0",
                "exclude-sources", c.list("192.168.100.0/24", "2001:db8:ee::/48"))));
        assertTrue(m.managed());
        assertEquals(33, m.group());
        assertEquals(List.of(
                "iptables -t raw -A PREROUTING -i eth0 ! -s 192.168.100.0/24 -p icmp -m icmp --icmp-type 3/4 -m comment --comment " + tag(m) + " -j NFLOG --nflog-group 33",
                "ip6tables -t raw -A PREROUTING -i eth0 ! -s 2001:db8:ee::/48 -p icmpv6 -m icmpv6 --icmpv6-type 2/0 -m comment --comment " + tag(m) + " -j NFLOG --nflog-group 33"),
                m.commands("print"));
        assertEquals(List.of(
                "iptables -t raw -D PREROUTING -i eth0 ! -s 192.168.100.0/24 -p icmp -m icmp --icmp-type 3/4 -m comment --comment " + tag(m) + " -j NFLOG --nflog-group 33",
                "ip6tables -t raw -D PREROUTING -i eth0 ! -s 2001:db8:ee::/48 -p icmpv6 -m icmpv6 --icmpv6-type 2/0 -m comment --comment " + tag(m) + " -j NFLOG --nflog-group 33"),
                m.commands("remove"));
    }

    @Test
    void severalNetworksOfOneFamilyReturnFromAChainInsteadOfNegatingAList() {
        Cfg.Lines c = Cfg.lines();
        RuleManager m = manager(root(c, "40", c.map("interface", "bond0", "exclude-sources", c.list("192.0.2.0/24", "198.51.100.0/24"))));
        assertFalse(m.managed());
        assertEquals(List.of(
                "iptables -t raw -N PMTUD-40",
                "iptables -t raw -A PMTUD-40 -s 192.0.2.0/24 -m comment --comment " + tag(m) + " -j RETURN",
                "iptables -t raw -A PMTUD-40 -s 198.51.100.0/24 -m comment --comment " + tag(m) + " -j RETURN",
                "iptables -t raw -A PMTUD-40 -m comment --comment " + tag(m) + " -j NFLOG --nflog-group 40",
                "iptables -t raw -A PREROUTING -i bond0 -p icmp -m icmp --icmp-type 3/4 -m comment --comment " + tag(m) + " -j PMTUD-40",
                "ip6tables -t raw -A PREROUTING -i bond0 -p icmpv6 -m icmpv6 --icmpv6-type 2/0 -m comment --comment " + tag(m) + " -j NFLOG --nflog-group 40"),
                m.commands("ensure"));
    }

    @Test
    void excludedSourcesDefaultToTheExcludeNetworksFilters() {
        Cfg.Lines c = Cfg.lines();
        ConfigNode root = c.map(
                "sources", c.list(c.map("type", "nflog", "group", "33", "families", c.list("ipv4"))),
                "filters", c.list(c.map("type", "exclude-networks", "networks", c.list("203.0.113.0/24"))),
                "rules", c.map("manage", "true", "interface", "eth0"));
        RuleManager m = manager(root);
        assertEquals(List.of(Cidr.parse("203.0.113.0/24")), m.excludedSources());
        assertEquals(List.of("iptables -t raw -A PREROUTING -i eth0 ! -s 203.0.113.0/24 -p icmp -m icmp --icmp-type 3/4 "
                + "-m comment --comment " + tag(m) + " -j NFLOG --nflog-group 33"), m.commands("print"), "ipv4 only: no ip6tables rule");
    }

    @Test
    void excludedSourcesDefaultToTheClusterNetworks() {
        Cfg.Lines c = Cfg.lines();
        ConfigNode root = c.map(
                "cluster", c.map("networks", c.list("198.51.100.0/24", "2001:db8:ee::/48")),
                "sources", c.list(c.map("type", "nflog", "group", "35")),
                "filters", c.list(c.map("type", "exclude-networks")),
                "rules", c.map("manage", "true", "interface", "eth0"));
        RuleManager m = manager(root);
        assertEquals(35, m.group(), "the group the built nflog source reads");
        assertEquals(List.of(Cidr.parse("198.51.100.0/24"), Cidr.parse("2001:db8:ee::/48")), m.excludedSources());
    }

    @Test
    void aManagedRulesExcludedSourcesAreTheClustersNetworksToo() {
        for (String manage : List.of("true", "false")) {
            Cfg.Lines c = Cfg.lines();
            ConfigNode root = c.map(
                    "sources", c.list(c.map("type", "nflog", "group", "33")),
                    "filters", c.list(c.map("type", "exclude-networks", "networks", c.list("198.51.100.0/24"))),
                    "rules", c.map("manage", manage, "exclude-sources", c.list("203.0.113.0/24", "2001:db8::/32")));
            Optional<RuleSettings> settings = RuleSettings.read(root);
            try (NodeRuntime runtime = new Bootstrap(Cli.system(), null, false).builder(root, settings).build()) {
                List<Cidr> expected = manage.equals("true")
                        ? List.of(Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.0/24"), Cidr.parse("2001:db8::/32"))
                        : List.of(Cidr.parse("198.51.100.0/24"));
                assertEquals(expected, runtime.pipelines().get(0).context().excludedNetworks(), "manage: " + manage);
                assertEquals(List.of(Cidr.parse("203.0.113.0/24"), Cidr.parse("2001:db8::/32")),
                        RuleManager.forRuntime(settings.orElseThrow(), runtime).excludedSources(), "the rule skips what it says");
            }
        }
    }

    @Test
    void noRulesBlockMeansNoManager() {
        Cfg.Lines c = Cfg.lines();
        assertTrue(Rules.fromConfig(c.map("sources", c.list(c.map("type", "nflog")))).isEmpty());
        assertTrue(RuleSettings.read(c.map("sources", c.list(c.map("type", "nflog")))).isEmpty());
    }

    @Test
    void mistakesNameFileAndLine() {
        Cfg.Lines c = Cfg.lines();
        ConfigNode rules = c.map("manage", "true", "interfce", "eth0");
        ConfigException e = assertThrows(ConfigException.class, () -> Rules.fromConfig(root(c, "33", rules)));
        int line = rules.get("interfce").line();
        assertTrue(e.getMessage().startsWith(Cfg.FILE + ":" + line + ": rules: unknown key 'interfce' (did you mean 'interface'?)"), e.getMessage());

        Cfg.Lines d = Cfg.lines();
        ConfigNode badTable = d.map("table", "filter");
        e = assertThrows(ConfigException.class, () -> Rules.fromConfig(root(d, "33", badTable)));
        assertEquals(Cfg.FILE + ":" + badTable.get("table").line() + ": rules: 'table' is 'filter'; allowed: raw, mangle", e.getMessage());

        Cfg.Lines f = Cfg.lines();
        ConfigNode badNet = f.map("exclude-sources", f.list("10.0.0.0/33"));
        e = assertThrows(ConfigException.class, () -> Rules.fromConfig(root(f, "33", badNet)));
        assertTrue(e.getMessage().contains("10.0.0.0/33"), e.getMessage());

        Cfg.Lines g = Cfg.lines();
        ConfigNode noSource = g.map("manage", "true");
        ConfigNode pcapOnly = g.map("sources", g.list(g.map("type", "pcap-file", "path", "in.pcap")), "rules", noSource);
        e = assertThrows(ConfigException.class, () -> Rules.fromConfig(pcapOnly));
        assertTrue(e.getMessage().startsWith(Cfg.FILE + ":" + noSource.line() + ": rules: the rule logs to an NFLOG group, but no source has type nflog"), e.getMessage());

        Cfg.Lines h = Cfg.lines();
        ConfigNode badIface = h.map("interface", "eth0; rm -rf /");
        e = assertThrows(ConfigException.class, () -> Rules.fromConfig(root(h, "33", badIface)));
        assertTrue(e.getMessage().contains("'interface' is 'eth0; rm -rf /'"), e.getMessage());
    }

    @Test
    void unknownActionIsRefused() {
        Cfg.Lines c = Cfg.lines();
        RuleManager m = manager(root(c, "33", c.map("interface", "eth0")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.commands("install"));
        assertEquals("unknown rules action 'install'; use print, ensure or remove", e.getMessage());
    }

    @Test
    void listingLinesAreSplitLikeAShellWould() {
        assertEquals(List.of("-A", "PREROUTING", "-m", "comment", "--comment", "pmtud", "-j", "NFLOG"),
                IptablesBackend.tokenize("-A PREROUTING -m comment --comment \"pmtud\" -j NFLOG"));
        assertEquals(List.of("--comment", "a b"), IptablesBackend.tokenize("--comment \"a b\""));
    }

    @Test
    void ipv6NetworksArePrintedCompressed() {
        assertEquals("2001:db8:ee::/48", IptablesBackend.text(Cidr.parse("2001:db8:ee::/48")));
        assertEquals("::/0", IptablesBackend.text(Cidr.parse("::/0")));
        assertEquals("2001:db8::1:0:0:1/128", IptablesBackend.text(Cidr.parse("2001:db8:0:0:1:0:0:1")));
        assertEquals("192.0.2.0/24", IptablesBackend.text(Cidr.parse("192.0.2.7/24")));
    }

    @Test
    void theNflogSourceAndExcludeNetworksAreFoundInsideAnyPipeline() {
        Cfg.Lines c = Cfg.lines();
        ConfigNode root = c.map(
                "pipelines", c.list(
                        c.map("name", "receive", "sources", c.list(c.map("type", "pcap-file", "path", "in.pcap"))),
                        c.map("name", "replicate",
                                "sources", c.list(c.map("type", "nflog", "group", "34", "families", c.list("ipv6"))),
                                "filters", c.list(c.map("type", "exclude-networks", "networks", c.list("2001:db8:ee::/48"))))),
                "rules", c.map("manage", "true", "interface", "eth0"));
        RuleManager m = manager(root);
        assertEquals(34, m.group());
        assertEquals(List.of(Cidr.parse("2001:db8:ee::/48")), m.excludedSources());
        assertEquals(java.util.Optional.of("eth0"), m.configuredInterface());
        assertEquals("eth0", m.interfaceName());
        assertEquals(List.of("ip6tables -t raw -A PREROUTING -i eth0 ! -s 2001:db8:ee::/48 -p icmpv6 -m icmpv6 --icmpv6-type 2/0"
                + " -m comment --comment " + tag(m) + " -j NFLOG --nflog-group 34"), m.commands("print"));
    }

    @Test
    void sourcesReadingTwoGroupsAreRefusedAtTheRulesBlock() {
        Cfg.Lines c = Cfg.lines();
        ConfigNode rules = c.map("manage", "true");
        ConfigNode root = c.map(
                "pipelines", c.list(
                        c.map("name", "a", "sources", c.list(c.map("type", "nflog", "group", "33"))),
                        c.map("name", "b", "sources", c.list(c.map("type", "nflog", "group", "34")))),
                "rules", rules);
        ConfigException e = assertThrows(ConfigException.class, () -> Rules.fromConfig(root));
        assertEquals(Cfg.FILE + ":" + rules.line() + ": rules: the sources read NFLOG groups 33 (pipeline a, source nflog) and 34"
                + " (pipeline b, source nflog); pmtud manages the rule for one group, so use one nflog source", e.getMessage());
    }

    @Test
    void aBadNflogSourceInsideAPipelineIsNamedWithItsPipeline() {
        Cfg.Lines c = Cfg.lines();
        ConfigNode root = c.map(
                "pipelines", c.list(c.map("name", "replicate", "sources", c.list(c.map("type", "nflog", "group", "70000")))),
                "rules", c.map("manage", "true"));
        ConfigException e = assertThrows(ConfigException.class, () -> Rules.fromConfig(root));
        assertTrue(e.getMessage().contains("pipeline replicate, sources[0] (nflog): 'group'"), e.getMessage());
    }
}
