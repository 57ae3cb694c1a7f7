package dev.pmtud.app.rules;

import static dev.pmtud.app.rules.RuleManagerConfigTest.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.sys.Errno;
import dev.pmtud.sys.NativeException;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.RecordingMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 4: a deleted rule is noticed through nf_tables notifications and put back at once —
 * the watch's periodic check is set to an hour here, so nothing else could have done it — and the
 * window is counted; without notifications the periodic check still does it.
 */
@Tag("netns")
class RuleWatchNetnsTest {
    /** Long enough that a restoration within the test can only come from a notification. */
    private static final Duration NO_POLL = Duration.ofHours(1);
    private static final Duration LIMIT = Duration.ofSeconds(10);

    private static RuleManager nft(Netns ns, String... excluded) {
        Cfg.Lines c = Cfg.lines();
        return Rules.nftablesIn(ns, Rules.fromConfig(root(c, "33", c.map("manage", "true", "backend", "nftables", "interface", "eth0",
                "exclude-sources", c.list((Object[]) excluded)))).orElseThrow());
    }

    private static long restored(RecordingMetrics m) {
        return m.count(RuleWatch.RESTORED);
    }

    private static long outages(RecordingMetrics m, String detection) {
        return m.count(RuleWatch.OUTAGES, "detection", detection);
    }

    private static double missingSeconds(RecordingMetrics m) {
        return m.value(RuleWatch.MISSING_SECONDS).doubleValue();
    }

    private static List<Map<String, Object>> rules(Netns ns) {
        return NftRuleset.of(ns).rules("inet", "pmtud", "capture-33");
    }

    private static boolean allTheOwners(Netns ns, RuleManager m, int count) {
        List<Map<String, Object>> r = rules(ns);
        return r.size() == count && r.stream().allMatch(x -> String.valueOf(x.get("comment")).endsWith(" " + m.owner().id()));
    }

    @Test
    void nftDeletingTheTableARuleOrTheWholeRulesetIsRepairedAtOnceAndTheWindowCounted() {
        Netns.assumeRoot();
        RecordingMetrics metrics = new RecordingMetrics();
        try (Netns ns = Netns.create("watch"); RuleLog log = new RuleLog()) {
            try (RuleManager m = nft(ns, "192.0.2.0/24", "2001:db8:ee::/48")) {
                m.install();
                m.startWatch(NO_POLL, metrics);
                assertEquals(0, restored(metrics), "pre-registered at zero");
                assertEquals(0, outages(metrics, "notification"));
                assertEquals(0, outages(metrics, "poll"));
                assertEquals(0.0, missingSeconds(metrics));
                assertTrue(log.any("is noticed at once through nf_tables notifications, and by a check every 3600 s"), log.lines().toString());

                ns.exec("nft", "delete", "table", "inet", "pmtud");
                Await.until(LIMIT, () -> "both rules back; " + log.lines(), () -> restored(metrics) == 2 && allTheOwners(ns, m, 2));
                assertEquals(1, outages(metrics, "notification"), "one outage, noticed through a notification");
                assertEquals(0, outages(metrics, "poll"));
                double first = missingSeconds(metrics);
                assertTrue(first > 0, "the window is counted: " + first);
                assertTrue(log.any("capture rule for NFLOG group 33 had been deleted (delete table inet pmtud by process "), "what: " + log.lines());
                assertTrue(log.any(" (nft)); re-added 2 rule(s); it was missing for "), "who deleted it: " + log.lines());

                ns.exec("nft", "flush", "ruleset");
                Await.until(LIMIT, () -> "both rules back after a flush; " + log.lines(), () -> restored(metrics) == 4 && allTheOwners(ns, m, 2));
                assertEquals(2, outages(metrics, "notification"));
                assertTrue(missingSeconds(metrics) > first, "the second window added");

                long handle = ((Number) rules(ns).get(1).get("handle")).longValue();
                ns.exec("nft", "delete", "rule", "inet", "pmtud", "capture-33", "handle", String.valueOf(handle));
                Await.until(LIMIT, () -> "the IPv6 rule back; " + log.lines(), () -> restored(metrics) == 5 && allTheOwners(ns, m, 2));
                assertTrue(log.any("had been deleted (delete rule inet pmtud capture-33 handle " + handle + " by process "), log.lines().toString());
                assertEquals(3, outages(metrics, "notification"));
                assertEquals(0, outages(metrics, "poll"));
            }
            assertFalse(NftRuleset.of(ns).tables().contains("inet pmtud"), "removed at close");
            assertEquals(5, restored(metrics), "removing its own rules is no outage");
        }
    }

    @Test
    void goPmtudsTableGoingAwayIsNoticedAtOnceButIsNoRestoration() {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("watch"); RuleLog log = new RuleLog(); RuleManager m = nft(ns, "192.0.2.0/24", "2001:db8:ee::/48")) {
            NftablesBackendNetnsTest.nft(ns, String.format("table ip pmtud {\n  chain prerouting {\n    type filter hook prerouting priority raw;"
                    + " policy accept;\n    iifname \"eth0\" icmp type destination-unreachable icmp code frag-needed log group 33\n  }\n}\n"));
            m.install();
            assertEquals(1, rules(ns).size(), "go-pmtud's table captures IPv4: only the IPv6 rule");
            RecordingMetrics metrics = new RecordingMetrics();
            m.startWatch(NO_POLL, metrics);

            ns.exec("nft", "delete", "table", "ip", "pmtud");
            Await.until(LIMIT, () -> "pmtud to capture IPv4 itself; " + log.lines(), () -> allTheOwners(ns, m, 2));
            assertEquals(0, restored(metrics), "nothing of pmtud's had been deleted");
            assertEquals(0, outages(metrics, "notification") + outages(metrics, "poll"));
            assertTrue(log.any("is gone; pmtud captures IPv4 itself now"), log.lines().toString());

            // From now on the IPv4 rule is pmtud's: deleting it is an outage.
            long handle = ((Number) rules(ns).get(rules(ns).size() - 1).get("handle")).longValue();
            ns.exec("nft", "delete", "rule", "inet", "pmtud", "capture-33", "handle", String.valueOf(handle));
            Await.until(LIMIT, () -> "the rule back; " + log.lines(), () -> restored(metrics) == 1 && allTheOwners(ns, m, 2));
            assertEquals(1, outages(metrics, "notification"));
        }
    }

    @Test
    void iptablesNftDeletingTheRuleIsNoticedThroughNotificationsToo() {
        Netns.assumeRoot();
        String v4 = Iptables.detect("iptables");
        String v6 = Iptables.detect("ip6tables");
        Cfg.Lines c = Cfg.lines();
        Assumptions.assumeTrue(new Iptables(v4, List.of()).speaksNftables(), "SKIPPED: " + v4 + " is iptables-legacy here (no notifications)");
        try (Netns ns = Netns.create("watch"); RuleLog log = new RuleLog()) {
            try (RuleManager m = Rules.iptablesIn(ns, Rules.fromConfig(root(c, "33", c.map("manage", "true", "backend", "iptables",
                    "interface", "eth0", "exclude-sources", c.list("192.0.2.0/24", "2001:db8:ee::/48")))).orElseThrow(), v4, v6)) {
                m.install();
                RecordingMetrics metrics = new RecordingMetrics();
                m.startWatch(NO_POLL, metrics);
                String comment = "pmtud " + m.owner().id();
                ns.exec(v4, "-w", "-t", "raw", "-D", "PREROUTING", "-i", "eth0", "!", "-s", "192.0.2.0/24", "-p", "icmp", "-m", "icmp",
                        "--icmp-type", "3/4", "-m", "comment", "--comment", comment, "-j", "NFLOG", "--nflog-group", "33");
                Await.until(LIMIT, () -> "the iptables rule back; " + log.lines(), () -> restored(metrics) == 1);
                assertEquals(1, outages(metrics, "notification"), "noticed through the notification iptables-nft's deletion raised");
                assertEquals(0, outages(metrics, "poll"));
                assertTrue(log.any("(delete rule ip raw PREROUTING handle "), log.lines().toString());
                assertEquals(1, ns.exec(v4, "-t", "raw", "-S", "PREROUTING").stdout().lines().filter(l -> l.contains(comment)).count());
            }
            assertTrue(ns.exec(v4, "-t", "raw", "-S").stdout().lines().noneMatch(l -> l.contains("pmtud")));
        }
    }

    @Test
    void withoutNotificationsThePeriodicCheckRepairsItAndCountsAnOutage() {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("watch"); RuleLog log = new RuleLog(); RuleManager m = nft(ns, "192.0.2.0/24").withNotifications(() -> {
            throw new NativeException("nftables notifications: NETLINK_ADD_MEMBERSHIP 7", Errno.EPERM);
        })) {
            m.install();
            RecordingMetrics metrics = new RecordingMetrics();
            m.startWatch(Duration.ofMillis(200), metrics);
            assertTrue(log.any("is noticed by a check every 200 ms (nftables notifications: NETLINK_ADD_MEMBERSHIP 7: EPERM"), log.lines().toString());
            ns.exec("nft", "delete", "table", "inet", "pmtud");
            Await.until(LIMIT, () -> "both rules back; " + log.lines(), () -> restored(metrics) == 2 && allTheOwners(ns, m, 2));
            assertEquals(1, outages(metrics, "poll"));
            assertEquals(0, outages(metrics, "notification"));
            assertTrue(missingSeconds(metrics) > 0);
            assertTrue(log.any("(found missing by the check every 200 ms); re-added 2 rule(s); it was missing for "), log.lines().toString());
        }
    }
}
