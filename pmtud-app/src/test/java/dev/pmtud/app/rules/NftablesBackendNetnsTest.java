package dev.pmtud.app.rules;

import static dev.pmtud.app.rules.RuleManagerConfigTest.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.FrameSender;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.RecordingMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The nftables backend against the real kernel in a throwaway namespace, checked with nft itself. */
@Tag("netns")
class NftablesBackendNetnsTest {
    private static final String OTHER = "table inet other {\n  chain c {\n    type filter hook input priority 0; policy accept;\n    counter\n  }\n}\n";
    private static final String GO_PMTUD = "table ip pmtud {\n  chain prerouting {\n    type filter hook prerouting priority raw; policy accept;\n"
            + "    iifname \"eth0\" icmp type destination-unreachable icmp code frag-needed log group %d\n  }\n}\n";

    /** A manager for NFLOG group 33 on eth0 with {@code excluded}, talking nf_tables inside {@code ns}. */
    static RuleManager manager(Netns ns, String... excluded) {
        Cfg.Lines c = Cfg.lines();
        return Rules.nftablesIn(ns, Rules.fromConfig(root(c, "33", c.map("manage", "true", "backend", "nftables", "interface", "eth0",
                        "exclude-sources", c.list((Object[]) excluded)))).orElseThrow());
    }

    static void nft(Netns ns, String script) {
        ns.exec("sh", "-c", "printf '%s' \"$1\" | nft -f -", "sh", script);
    }

    private static String listTable(Netns ns, String family, String name) {
        return ns.exec("nft", "list", "table", family, name).stdout();
    }

    @Test
    void ensureInstallsWhatNftListsAndRemoveLeavesOtherTablesAlone() {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("nft")) {
            nft(ns, OTHER);
            nft(ns, String.format(GO_PMTUD, 34)); // go-pmtud's table for another group: no reason to skip IPv4
            String otherBefore = listTable(ns, "inet", "other");
            String goBefore = listTable(ns, "ip", "pmtud");
            RuleManager m = manager(ns, "192.0.2.0/24", "198.51.100.0/25", "2001:db8:ee::/48");
            m.ensure();
            m.ensure();

            NftRuleset set = NftRuleset.of(ns);
            assertEquals(Set.of("inet other", "ip pmtud", "inet pmtud"), set.tables());
            Map<String, Object> chain = set.chain("inet", "pmtud", "capture-33");
            assertNotNull(chain, "chain capture-33 in " + set.tables());
            assertEquals("filter", chain.get("type"));
            assertEquals("prerouting", chain.get("hook"));
            assertEquals(-300, ((Number) chain.get("prio")).intValue());
            List<Map<String, Object>> rules = set.rules("inet", "pmtud", "capture-33");
            assertEquals(2, rules.size(), "one rule per family, not one per ensure: " + rules);
            Map<String, Object> v4 = rules.get(0);
            Map<String, Object> v6 = rules.get(1);
            assertEquals("eth0", NftRuleset.iifname(v4));
            assertEquals("icmp type=destination-unreachable code=frag-needed", NftRuleset.icmp(v4));
            assertEquals(Set.of("192.0.2.0/24", "198.51.100.0/25"), NftRuleset.excluded(v4));
            assertEquals(33, NftRuleset.logGroup(v4));
            assertEquals("eth0", NftRuleset.iifname(v6));
            assertEquals("icmpv6 type=packet-too-big code=no-route", NftRuleset.icmp(v6));
            assertEquals(Set.of("2001:db8:ee::/48"), NftRuleset.excluded(v6));
            assertEquals(33, NftRuleset.logGroup(v6));
            assertTrue(String.valueOf(v4.get("comment")).startsWith("pmtud "), "tagged: " + v4.get("comment"));

            // `pmtud rules print` is exactly what nft lists (nft adds nothing we did not say).
            String listed = listTable(ns, "inet", "pmtud");
            assertEquals(listed.strip(), String.join("\n", m.commands("print")).strip());
            assertTrue(listed.contains("\tcomment \"pmtud\"\n"), listed);

            m.close(); // manage: true -> removes
            NftRuleset after = NftRuleset.of(ns);
            assertEquals(Set.of("inet other", "ip pmtud"), after.tables());
            assertEquals(otherBefore, listTable(ns, "inet", "other"));
            assertEquals(goBefore, listTable(ns, "ip", "pmtud"));
            m.remove(); // idempotent
        }
    }

    @Test
    void aTableOfOurNameThatWeDidNotCreateIsRefusedAndKept() {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("nft")) {
            nft(ns, "table inet pmtud {\n  chain mine {\n    type filter hook input priority 0;\n  }\n}\n");
            RuleManager m = manager(ns, "192.0.2.0/24");
            RuleException e = assertThrows(RuleException.class, m::ensure);
            assertEquals("nftables: table inet pmtud exists but pmtud did not create it (its comment is missing, not \"pmtud\"); "
                    + "pmtud leaves it alone: rename or delete it, or set rules.backend: iptables", e.getMessage());
            m.remove();
            assertNotNull(NftRuleset.of(ns).chain("inet", "pmtud", "mine"), "remove() must not touch a table pmtud did not make");
        }
    }

    @Test
    void anExistingCaptureForTheGroupIsNotDuplicatedAndNeverRemoved() {
        Netns.assumeRoot();
        List<String> log = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                log.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger jul = Logger.getLogger("dev.pmtud.app.rules");
        jul.addHandler(h);
        try (Netns ns = Netns.create("nft")) {
            nft(ns, String.format(GO_PMTUD, 33));
            String goBefore = listTable(ns, "ip", "pmtud");
            RuleManager m = manager(ns, "192.0.2.0/24", "2001:db8:ee::/48");
            m.ensure();
            List<Map<String, Object>> rules = NftRuleset.of(ns).rules("inet", "pmtud", "capture-33");
            assertEquals(List.of("icmpv6 type=packet-too-big code=no-route"), rules.stream().map(NftRuleset::icmp).toList(),
                    "go-pmtud captures IPv4 already: only the IPv6 rule");
            assertTrue(log.stream().anyMatch(l -> l.startsWith("IPv4 messages already go to NFLOG group 33 through table ip pmtud chain prerouting (go-pmtud's)")),
                    "one log line says so: " + log);
            m.remove();
            assertEquals(goBefore, listTable(ns, "ip", "pmtud"), "go-pmtud's table is never touched");

            // go-pmtud gone: the next check adds the IPv4 rule, and says so.
            m.ensure();
            ns.exec("nft", "delete", "table", "ip", "pmtud");
            assertEquals(1, m.ensureCounting(), "the IPv4 rule is added once go-pmtud's is gone");
            assertEquals(List.of("icmp type=destination-unreachable code=frag-needed", "icmpv6 type=packet-too-big code=no-route"),
                    NftRuleset.of(ns).rules("inet", "pmtud", "capture-33").stream().map(NftRuleset::icmp).sorted().toList());
            assertTrue(log.stream().anyMatch(l -> l.contains("is gone; pmtud captures IPv4 itself now")), log.toString());

            // The seed's rule through iptables(-nft) counts too.
            m.remove();
            ns.exec("iptables", "-t", "raw", "-A", "PREROUTING", "-i", "eth0", "-p", "icmp", "-m", "icmp", "--icmp-type", "3/4",
                    "-j", "NFLOG", "--nflog-group", "33");
            m.ensure();
            assertEquals(List.of("icmpv6 type=packet-too-big code=no-route"),
                    NftRuleset.of(ns).rules("inet", "pmtud", "capture-33").stream().map(NftRuleset::icmp).toList());
            m.remove();
            assertTrue(ns.exec("iptables", "-t", "raw", "-S", "PREROUTING").stdout().contains("--nflog-group 33"), "the seed's rule stays");
        } finally {
            jul.removeHandler(h);
        }
    }

    @Test
    void deletedTableComesBackUnderTheWatchAndIsCounted() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("nft")) {
            RuleManager m = manager(ns, "192.0.2.0/24", "2001:db8:ee::/48");
            m.ensure();
            RecordingMetrics metrics = new RecordingMetrics();
            m.startWatch(Duration.ofMillis(100), metrics);
            ns.exec("nft", "delete", "table", "inet", "pmtud");
            String restored = "pmtud_rules_restored_total";
            Await.until(Duration.ofSeconds(10), "both rules restored", () -> metrics.count(restored) >= 2);
            assertEquals(2, metrics.count(restored), "both rules re-added and counted");
            assertEquals(2, NftRuleset.of(ns).rules("inet", "pmtud", "capture-33").size());
            m.close();
            assertFalse(NftRuleset.of(ns).tables().contains("inet pmtud"), "removed at close");
            assertEquals(2, metrics.count(restored));
        }
    }

    @Test
    void nflogDeliveryWorksThroughTheTableAndEveryExclusionHolds() throws Exception {
        Netns.assumeRoot();
        try (Netns node = Netns.create("node"); Netns peer = Netns.create("peer")) {
            Netns.veth(node, "eth0", peer, "eth0");
            node.exec("ip", "addr", "add", "192.0.2.1/24", "dev", "eth0");
            String nodeMac = node.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
            String peerMac = peer.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
            RuleManager m = manager(node, "198.51.100.0/24", "203.0.113.0/25", "2001:db8:ee::/48", "2001:db8:ef::/48");
            m.ensure();
            NflogReceiver seen = NflogReceiver.open(node);
            try (FrameSender tx = peer.call(() -> FrameSender.open("eth0"))) {
                byte[] marker4 = Ptb.v4().from("203.0.113.200").to("192.0.2.1").mtu(1300).build();
                byte[] marker6 = Ptb.v6().from("2001:db8:f0::7").to("2001:db8:1::1").mtu(1300).build();
                for (byte[] l3 : List.of(
                        Ptb.v4().from("192.0.2.99").to("192.0.2.1").type(3, 3).build(),  // not frag-needed
                        Ptb.v4().from("198.51.100.7").to("192.0.2.1").build(),       // first IPv4 network
                        Ptb.v4().from("203.0.113.7").to("192.0.2.1").build(),        // second IPv4 network
                        marker4,                                                     // outside both
                        Ptb.v6().from("2001:db8:ee::7").to("2001:db8:1::1").build(), // first IPv6 network
                        Ptb.v6().from("2001:db8:ef::7").to("2001:db8:1::1").build(), // second IPv6 network
                        marker6)) {                                                  // outside both
                    tx.send(Frames.ethernet(nodeMac, peerMac, l3));
                }
                HexFormat hex = HexFormat.of();
                byte[] first = seen.poll(10, TimeUnit.SECONDS);
                assertNotNull(first, "nothing delivered through the nftables rule");
                assertEquals(hex.formatHex(marker4), hex.formatHex(first), "an excluded IPv4 source was delivered");
                byte[] second = seen.poll(10, TimeUnit.SECONDS);
                assertNotNull(second, "the IPv6 message was not delivered");
                assertEquals(hex.formatHex(marker6), hex.formatHex(second), "an excluded IPv6 source was delivered");
                // Delivery keeps the order of arrival: what was sent before the markers and not seen yet never will be.
                assertNull(seen.poll(0, TimeUnit.SECONDS), "only frag-needed / packet-too-big from outside the networks is captured");
            } finally {
                seen.close();
                m.close();
            }
        }
    }

    @Test
    void autoPicksNftablesWhereTheKernelHasIt() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("nft")) {
            Cfg.Lines c = Cfg.lines();
            RuleManager m = Rules.fromConfig(root(c, "33", c.map("interface", "eth0"))).orElseThrow();
            assertEquals("nftables", ns.call(m::backendName));
            assertNull(NftRuleset.of(ns).chain("inet", "pmtud", "capture-33"), "choosing changes nothing");
        }
    }
}
