package dev.pmtud.app.rules;

import static dev.pmtud.app.rules.RuleManagerConfigTest.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.sys.nftables.NftChange;
import dev.pmtud.sys.nftables.NftMonitor;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Netns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Issue 12 item 2 for both backends: every manager is an owner of its own, as two pmtud processes
 * are. Two daemons for two groups never take each other's rules; the holder of a group replaces
 * what a crashed predecessor left (nftables: in the transaction that adds its own), a late cleanup
 * by that predecessor then takes nothing, and {@code pmtud rules ensure} next to a running daemon
 * adds nothing.
 */
@Tag("netns")
class RuleOwnershipNetnsTest {

    private static RuleManager nft(Netns ns, String group, String... excluded) {
        Cfg.Lines c = Cfg.lines();
        return Rules.nftablesIn(ns, Rules.fromConfig(root(c, group, c.map("manage", "true", "backend", "nftables", "interface", "eth0",
                "exclude-sources", c.list((Object[]) excluded)))).orElseThrow());
    }

    private static RuleManager ipt(Netns ns, String group, String... excluded) {
        Cfg.Lines c = Cfg.lines();
        return Rules.iptablesIn(ns, Rules.fromConfig(root(c, group, c.map("manage", "true", "backend", "iptables", "interface", "eth0",
                "exclude-sources", c.list((Object[]) excluded)))).orElseThrow(), Iptables.detect("iptables"), Iptables.detect("ip6tables"));
    }

    /** The chain with rule handles: a rule deleted and added again has another handle. */
    private static String chain(Netns ns, int group) {
        return ns.execAllowingFailure("nft", "-a", "list", "chain", "inet", "pmtud", "capture-" + group).stdout();
    }

    private static List<String> comments(Netns ns, int group) {
        return NftRuleset.of(ns).rules("inet", "pmtud", "capture-" + group).stream().map(r -> String.valueOf(r.get("comment"))).toList();
    }

    /** Every pmtud line of {@code iptables -S} in the raw table, both families. */
    private static List<String> iptablesLines(Netns ns) {
        List<String> out = new ArrayList<>();
        for (String bin : List.of(Iptables.detect("iptables"), Iptables.detect("ip6tables"))) {
            ns.exec(bin, "-t", "raw", "-S").stdout().lines().filter(l -> l.contains("pmtud") || l.contains("PMTUD")).forEach(out::add);
        }
        return out;
    }

    @Test
    void nftablesTwoGroupsNeverTakeEachOthersRules() {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("owners")) {
            RuleManager a = nft(ns, "33", "192.0.2.0/24");
            RuleManager b = nft(ns, "34", "198.51.100.0/24");
            a.install();
            b.install();
            String bBefore = chain(ns, 34);
            assertEquals(2, comments(ns, 34).size(), bBefore);
            a.close();
            assertEquals(bBefore, chain(ns, 34), "group 34's chain, rule for rule, after group 33's daemon stopped");
            assertNull(NftRuleset.of(ns).chain("inet", "pmtud", "capture-33"), "group 33's chain went with its daemon");
            b.close();
            assertFalse(NftRuleset.of(ns).tables().contains("inet pmtud"), "the last one out removes the table");
        }
    }

    @Test
    void nftablesLeftoversOfACrashedRunAreReplacedInOneTransactionAndItsLateCleanupTakesNothing() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("owners"); RuleLog log = new RuleLog()) {
            RuleManager crashed = nft(ns, "33", "192.0.2.0/24", "2001:db8:ee::/48");
            crashed.install(); // ... and then it dies without removing anything
            String tag = " " + crashed.owner().id();
            assertTrue(comments(ns, 33).stream().allMatch(c -> c.endsWith(tag)), comments(ns, 33).toString());

            RuleManager next = nft(ns, "33", "192.0.2.0/24", "2001:db8:ee::/48");
            List<NftChange> seen = new ArrayList<>();
            try (NftMonitor monitor = ns.call(NftMonitor::open)) {
                next.install();
                assertTrue(monitor.drain(seen::add), "no notification lost");
            }
            List<String> now = comments(ns, 33);
            assertEquals(2, now.size(), now.toString());
            assertTrue(now.stream().allMatch(c -> c.endsWith(" " + next.owner().id())), "the holder's rules only: " + now);
            // One transaction: both deletions and both additions, then one new generation: no moment without a capture.
            List<NftChange.Kind> kinds = seen.stream().map(NftChange::kind).toList();
            assertEquals(2, kinds.stream().filter(k -> k == NftChange.Kind.DELETE_RULE).count(), seen.toString());
            assertEquals(2, kinds.stream().filter(k -> k == NftChange.Kind.ADD_RULE).count(), seen.toString());
            assertEquals(List.of(NftChange.Kind.GENERATION), kinds.subList(4, kinds.size()), seen.toString());
            assertTrue(log.any("replaced 2 nftables rule(s) for NFLOG group 33 that other pmtud runs had left"), log.lines().toString());

            // `pmtud rules ensure` with the same configuration next to the running daemon: nothing to add.
            String held = chain(ns, 33);
            assertEquals(0, nft(ns, "33", "192.0.2.0/24", "2001:db8:ee::/48").ensureCounting());
            assertEquals(held, chain(ns, 33));

            crashed.close(); // a predecessor removing its rules late (it had released the group) finds none of its own
            assertEquals(held, chain(ns, 33), "the holder's rules survive a predecessor's cleanup");
            next.close();
            assertFalse(NftRuleset.of(ns).tables().contains("inet pmtud"));
        }
    }

    @Test
    void iptablesTwoGroupsAndACrashedRunsLeftovers() {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("owners")) {
            String v4 = Iptables.detect("iptables");
            // Group 34 with one network per family; group 33 with two IPv4 networks: its chain PMTUD-33.
            RuleManager other = ipt(ns, "34", "203.0.113.0/24", "2001:db8:ff::/48");
            other.install();
            List<String> otherLines = iptablesLines(ns);
            assertEquals(2, otherLines.size(), otherLines.toString());

            RuleManager crashed = ipt(ns, "33", "192.0.2.0/24", "198.51.100.0/24", "2001:db8:ee::/48");
            crashed.install(); // and dies
            RuleManager next = ipt(ns, "33", "192.0.2.0/24", "198.51.100.0/24", "2001:db8:ee::/48");
            next.install();
            List<String> lines = iptablesLines(ns);
            List<String> group33 = lines.stream().filter(l -> !otherLines.contains(l) && !l.equals("-N PMTUD-33")).toList();
            // PREROUTING jump + 3 chain rules (IPv4), one ip6tables rule: all the holder's, none of the crashed run's
            assertEquals(5, group33.size(), lines.toString());
            String holder = "--comment \"pmtud " + next.owner().id() + "\"";
            assertTrue(group33.stream().allMatch(l -> l.contains(holder)), lines.toString());
            assertTrue(lines.containsAll(otherLines), "group 34's rules untouched: " + lines);

            // `pmtud rules ensure` next to it adds nothing (another run's rule that is the wanted one counts)
            assertEquals(0, ipt(ns, "33", "192.0.2.0/24", "198.51.100.0/24", "2001:db8:ee::/48").ensureCounting());
            assertEquals(lines, iptablesLines(ns));

            crashed.close();
            assertEquals(lines, iptablesLines(ns), "a predecessor's late cleanup takes nothing of the holder's");
            next.close();
            assertEquals(otherLines, iptablesLines(ns), "the holder's rules and its chain gone, group 34's kept");
            assertTrue(ns.execAllowingFailure(v4, "-t", "raw", "-S", "PMTUD-33").exitCode() != 0, "chain PMTUD-33 deleted");
            other.close();
            assertEquals(List.of(), iptablesLines(ns));
        }
    }

    @Test
    void pmtudRulesRemoveTakesEveryRunsRulesForItsGroupOnly() {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("owners")) {
            nft(ns, "33", "192.0.2.0/24").install();
            nft(ns, "34", "192.0.2.0/24").install();
            nft(ns, "33", "192.0.2.0/24").remove(); // another process: the command, after a crash
            Map<String, Object> chain33 = NftRuleset.of(ns).chain("inet", "pmtud", "capture-33");
            assertNull(chain33, "every run's rules for group 33 removed");
            assertEquals(2, comments(ns, 34).size(), "group 34's kept");
            ipt(ns, "35", "192.0.2.0/24").install();
            ipt(ns, "35", "192.0.2.0/24").remove();
            assertEquals(List.of(), iptablesLines(ns));
        }
    }
}
