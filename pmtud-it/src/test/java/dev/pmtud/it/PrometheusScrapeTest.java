package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pmtud.core.PluginRegistry;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.FrameSender;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus}) scrapes two running pmtud daemons in a network
 * namespace: one started with go-pmtud's flags (drop-in mode: {@code go_pmtud_*} next to pmtud's
 * names), one from a file with every filter and the managed NFLOG rule. A peer namespace sends
 * crafted ICMP errors through both; then the test asks Prometheus's HTTP API, so the exposition
 * format, types and labels are what Prometheus accepts: the counts equal what was sent, the
 * go-pmtud names carry go-pmtud's labels, deploy/prometheus/pmtud-rules.yaml loads and its alerts
 * go pending/firing on the real series, and every query of deploy/grafana/pmtud.json returns a
 * series.
 */
@Tag("netns")
class PrometheusScrapeTest {
    static final Duration READY_LIMIT = Duration.ofSeconds(60);
    static final Duration SCRAPE_LIMIT = Duration.ofSeconds(30);
    static final String NODE4 = "192.0.2.1";
    static final String NODE6 = "2001:db8:2::1";
    static final String PEER4 = "192.0.2.2";
    static final String PEER6 = "2001:db8:2::2";
    /** A peer the file-configured daemon has no route to: every send fails (the error-ratio alert). */
    static final String UNREACHABLE = "198.51.100.99";
    static final String NODES = "192.0.2.0/24";
    static final String NODES6 = "2001:db8:2::/64";
    static final int RELAY_PORT = 4390;
    /** What the dashboard's template variables stand for in the test. */
    static final String RATE_INTERVAL = "1m";

    /** Daemon 1: go-pmtud's flags; its NFLOG rule set up beside it, as go-pmtud's initContainer did. */
    static List<String> goPmtudFlags() {
        return PmtudDaemon.launcher("--peers=" + PEER4, "--iface", "eth0", "--nodename", "node-a", "--nflog-group", "33",
                "--metrics-port", String.valueOf(PmtudDaemon.metricsPort(1)), "--ttl", "1", "--ignore-networks", NODES);
    }

    /** Daemon 2: a file, every filter, the managed rule (group 34); with the relay receiver once it is merged. */
    static String fileConfig(Path keyFile) {
        String excluded = "[" + NODES + ", \"" + NODES6 + "\", " + UNREACHABLE + "/32]";
        String filters = "  - { type: exclude-networks, networks: " + excluded + " }\n"
                + "  - { type: mtu-range, min: 552, max: 9216 }\n"
                + "  - { type: dedup, window: 30s }\n"
                + "  - { type: rate-limit, per-source: 1/s, burst: 2, total: 100/s }\n";
        String head = "node: node-b\nmetrics: { listen: \"127.0.0.1:" + PmtudDaemon.metricsPort(2) + "\" }\n"
                + "peers: [ { type: static, addresses: [" + PEER4 + ", \"" + PEER6 + "\", " + UNREACHABLE + "] } ]\n";
        String rules = "rules: { manage: true, interface: eth0, exclude-sources: " + excluded + " }\n";
        if (!PendingMerges.RELAY) {
            return head + "sources: [ { type: nflog, group: 34 } ]\nfilters:\n" + filters + "sinks: [ { type: raw, mode: l3, ttl: 1 } ]\n" + rules;
        }
        // PendingMerges.RELAY: issue 10's pipelines, with a relay receiver whose refusals the dashboard shows
        return head + "pipelines:\n  - name: replicate\n    sources: [ { type: nflog, group: 34 } ]\n    filters:\n"
                + filters.replace("  - {", "      - {") + "    sinks: [ { type: raw, mode: l3, ttl: 1 } ]\n"
                + "  - name: receive\n    sources: [ { type: udp, listen: \"[::]:" + RELAY_PORT + "\", key-file: " + keyFile + " } ]\n"
                + "    sinks: [ { type: inject, device: pmtud0 } ]\n" + rules;
    }

    @Test
    void prometheusScrapesPmtudAndEveryRuleAndDashboardQueryWorksOnTheSeries(@TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        try (Netns node = Netns.create("node"); Netns peer = Netns.create("peer")) {
            Netns.veth(node, "eth0", peer, "eth0");
            for (Netns ns : List.of(node, peer)) {
                ns.exec("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.eth0.rp_filter=0",
                        "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.eth0.accept_dad=0");
            }
            node.exec("ip", "addr", "add", NODE4 + "/24", "dev", "eth0");
            node.exec("ip", "-6", "addr", "add", NODE6 + "/64", "dev", "eth0", "nodad");
            peer.exec("ip", "addr", "add", PEER4 + "/24", "dev", "eth0");
            peer.exec("ip", "-6", "addr", "add", PEER6 + "/64", "dev", "eth0", "nodad");
            node.exec("iptables", "-t", "raw", "-A", "PREROUTING", "-i", "eth0", "!", "-s", NODES, "-p", "icmp", "-m", "icmp",
                    "--icmp-type", "3/4", "-j", "NFLOG", "--nflog-group", "33");
            Path key = RelaySetup.keyFile(dir);
            try (PmtudDaemon dropIn = PmtudDaemon.start(node, 1, "# started with go-pmtud's flags, no file\n", dir, config -> goPmtudFlags());
                 PmtudDaemon fromFile = PmtudDaemon.start(node, 2, fileConfig(key), dir)) {
                dropIn.awaitReady(READY_LIMIT);
                fromFile.awaitReady(READY_LIMIT);
                PendingMerges.assertUpToDate(PluginRegistry.discover(List.of(getClass().getClassLoader())), dropIn.metrics());
                try (PrometheusServer prometheus = PrometheusServer.start(node, dir,
                        List.of("127.0.0.1:" + PmtudDaemon.metricsPort(1), "127.0.0.1:" + PmtudDaemon.metricsPort(2)),
                        List.of(PrometheusRulesTest.DIR.resolve("pmtud-rules.yaml")))) {
                    prometheus.await("both targets scraped and up", SCRAPE_LIMIT, () -> prometheus.api("/api/v1/targets"),
                            t -> upTargets(t) == 2);
                    Load load = sendLoad(node, peer);
                    if (PendingMerges.RELAY) {
                        sendUnsignedDatagram(peer);
                    }
                    deleteManagedRule(node, fromFile);
                    checkCounts(prometheus, load);
                    checkFirstErrorBurstIsARate(prometheus, load);
                    if (PendingMerges.RELAY) {
                        checkRelayRefusal(prometheus, fromFile);
                    }
                    checkTypesAndGoPmtudNames(prometheus);
                    checkRulesAndAlerts(prometheus);
                    checkDashboard(prometheus);
                } catch (AssertionError | RuntimeException e) {
                    System.out.println("[prometheus] log of node-a's pmtud:\n" + dropIn.logText() + "\nnode-b's:\n" + fromFile.logText());
                    throw e;
                }
            }
        }
    }

    static int upTargets(JsonNode targets) {
        int up = 0;
        for (JsonNode t : targets.get("activeTargets")) {
            up += "up".equals(t.path("health").asText()) ? 1 : 0;
        }
        return up;
    }

    /** What the peer sent, as the daemons must count it. */
    record Load(int v4Frames, int v6Frames, int invalid, int dedupDrops, int rateLimitDrops, int mtuRangeDrops) {
        /** go-pmtud's pipeline has only exclude-networks: everything valid is forwarded. */
        int forwardedDropIn() {
            return v4Frames - invalid;
        }

        int forwardedFromFile() {
            return v4Frames + v6Frames - invalid - dedupDrops - rateLimitDrops - mtuRangeDrops;
        }
    }

    /**
     * Frames from the peer namespace to the node's MAC, as routers' ICMP errors from outside the
     * nodes' network: three routers once each, one of them again (a duplicate), a burst of four
     * flows from a fourth (rate limit: two pass), an MTU of 100 (mtu-range), a truncated one
     * (invalid) and an IPv6 "packet too big".
     */
    static Load sendLoad(Netns node, Netns peer) throws Exception {
        String nodeMac = node.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
        String peerMac = peer.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
        List<byte[]> v4 = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            v4.add(Ptb.v4().from("203.0.113." + r).to(NODE4).tcp(NODE4, 443, "198.51.100." + r, 50000 + r).build());
        }
        v4.add(v4.get(0).clone());
        for (int f = 0; f < 4; f++) {
            v4.add(Ptb.v4().from("203.0.113.4").to(NODE4).tcp(NODE4, 443, "198.51.100.40", 40000 + f).build());
        }
        v4.add(Ptb.v4().from("203.0.113.5").to(NODE4).mtu(100).tcp(NODE4, 443, "198.51.100.50", 50050).build());
        v4.add(Ptb.v4().from("203.0.113.6").to(NODE4).embeddedBytes(4).build());
        byte[] v6 = Ptb.v6().from("2001:db8:ff::1").to(NODE6).tcp(NODE6, 443, "2001:db8:1::7", 51000).build();
        try (FrameSender tx = peer.call(() -> FrameSender.open("eth0"))) {
            for (byte[] ip : v4) {
                tx.send(Frames.ethernet(nodeMac, peerMac, ip));
            }
            tx.send(Frames.ethernet(nodeMac, peerMac, v6));
        }
        return new Load(v4.size(), 1, 1, 1, 2, 1);
    }

    /**
     * A bare datagram (go-pmtud's format: an IP packet, no signature) from the peer to node-b's relay
     * port: node-b has a key, so it is refused ({@code unauthenticated}) and never injected.
     */
    static void sendUnsignedDatagram(Netns peer) throws Exception {
        byte[] bare = Ptb.v4().from("203.0.113.8").to(NODE4).tcp(NODE4, 443, "198.51.100.80", 50080).build();
        peer.call(() -> {
            try (java.net.DatagramSocket s = new java.net.DatagramSocket(new java.net.InetSocketAddress(PEER4, 0))) {
                s.send(new java.net.DatagramPacket(bare, bare.length, new java.net.InetSocketAddress(NODE4, RELAY_PORT)));
            }
            return null;
        });
    }

    /** Prometheus holds the refusal with its reason, its alert is pending, and nothing was injected. */
    static void checkRelayRefusal(PrometheusServer p, PmtudDaemon daemon) throws Exception {
        String refused = "sum(pmtud_source_discarded_total{node=\"node-b\", pipeline=\"receive\", reason=\"unauthenticated\"})";
        p.await("the refused datagram to be scraped", SCRAPE_LIMIT, () -> p.sum(refused), v -> v >= 1);
        assertEquals(1, p.sum(refused), "one bare datagram, refused once");
        assertEquals(0, p.sum("sum(pmtud_source_discarded_total{node=\"node-b\", reason!=\"unauthenticated\"})"), "no other refusal");
        assertEquals(0, p.sum("sum(pmtud_inject_written_total{node=\"node-b\"})"), "nothing refused is injected");
        assertEquals(0, daemon.metrics().sum("pmtud_received_total", l -> "receive".equals(l.get("pipeline"))), "nor handed on");
        p.await("PmtudRelayRefusals pending for node-b (unauthenticated)", SCRAPE_LIMIT, () -> p.api("/api/v1/alerts"),
                a -> hasAlert(a, "PmtudRelayRefusals", "pending", "reason", "unauthenticated"));
    }

    /**
     * The sends to the unreachable peer failed in one burst, the first errors that peer ever had:
     * its per-errno series only appeared with them, but {@code pmtud_peer_send_failed_total} was
     * scraped at zero before, so {@code rate()} and {@code increase()} see the whole burst (and the
     * error-ratio alert can fire on it).
     */
    static void checkFirstErrorBurstIsARate(PrometheusServer p, Load load) throws Exception {
        String failed = "pmtud_peer_send_failed_total{node=\"node-b\", peer=\"" + UNREACHABLE + "\"}";
        int burst = load.forwardedFromFile() - load.v6Frames();
        assertEquals(burst, p.sum("sum(" + failed + ")"), "every failed send counted once");
        assertEquals(burst, p.sum("sum(pmtud_peer_send_errors_total{node=\"node-b\", peer=\"" + UNREACHABLE + "\"})"),
                "the per-errno series count the same messages");
        // increase() extrapolates to the window's edges, so it may say a little more; never less
        double seen = p.sum("sum(increase(" + failed + "[5m]))");
        assertTrue(seen >= burst, "increase() over the peer's first errors: " + seen + ", failed " + burst);
    }

    /**
     * Deletes the file-configured daemon's IPv4 capture rule (in its nftables table {@code inet pmtud},
     * chain {@code capture-34}); it puts it back ({@code pmtud_rules_restored_total}).
     */
    static void deleteManagedRule(Netns node, PmtudDaemon daemon) throws Exception {
        String chain = node.exec("nft", "-a", "list", "chain", "inet", "pmtud", "capture-34").stdout();
        String handle = chain.lines().filter(l -> l.contains("icmp type destination-unreachable") && l.contains("log group 34"))
                .map(l -> l.replaceAll(".*# handle (\\d+).*", "$1")).findFirst()
                .orElseThrow(() -> new AssertionError("no IPv4 capture rule for group 34 in table inet pmtud:\n" + chain));
        node.exec("nft", "delete", "rule", "inet", "pmtud", "capture-34", "handle", handle);
        Await.until(Duration.ofSeconds(30), "node-b's pmtud to re-add its rule", () -> {
            try {
                return daemon.metrics().sum("pmtud_rules_restored_total") >= 1;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Prometheus holds exactly the counts the load implies, per daemon. */
    static void checkCounts(PrometheusServer p, Load load) throws Exception {
        int total = load.v4Frames() * 2 + load.v6Frames();
        p.await("Prometheus to have scraped every message", SCRAPE_LIMIT, () -> p.sum("sum(pmtud_received_total{job=\"pmtud\"})"),
                v -> v >= total);
        p.await("the re-added rule to be scraped", SCRAPE_LIMIT, () -> p.sum("pmtud_rules_restored_total"), v -> v >= 1);
        assertEquals(load.v4Frames(), p.sum("sum(pmtud_received_total{node=\"node-a\"})"), "node-a received");
        assertEquals(load.v4Frames() + load.v6Frames(), p.sum("sum(pmtud_received_total{node=\"node-b\"})"), "node-b received");
        assertEquals(load.invalid(), p.sum("sum(pmtud_invalid_total{node=\"node-a\"})"), "node-a invalid");
        assertEquals(load.invalid(), p.sum("sum(pmtud_invalid_total{node=\"node-b\"})"), "node-b invalid");
        assertEquals(load.forwardedDropIn(), p.sum("sum(pmtud_forwarded_total{node=\"node-a\"})"), "node-a forwarded");
        assertEquals(load.forwardedFromFile(), p.sum("sum(pmtud_forwarded_total{node=\"node-b\"})"), "node-b forwarded");
        assertEquals(load.dedupDrops(), p.sum("sum(pmtud_dropped_total{node=\"node-b\", filter=\"dedup\"})"), "node-b dedup drops");
        assertEquals(load.rateLimitDrops(), p.sum("sum(pmtud_dropped_total{node=\"node-b\", filter=\"rate-limit\"})"), "node-b rate-limit drops");
        assertEquals(load.mtuRangeDrops(), p.sum("sum(pmtud_dropped_total{node=\"node-b\", filter=\"mtu-range\"})"), "node-b mtu-range drops");
        assertEquals(load.forwardedDropIn(), p.sum("sum(pmtud_peer_sent_total{node=\"node-a\", peer=\"" + PEER4 + "\"})"), "node-a sent to its peer");
        assertEquals(load.forwardedFromFile() - load.v6Frames(), p.sum("sum(pmtud_peer_send_errors_total{node=\"node-b\", peer=\"" + UNREACHABLE + "\"})"),
                "node-b's sends to the unreachable peer (IPv4 messages only) all failed");
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** Types as Prometheus read them, and go-pmtud's names with go-pmtud's labels. */
    static void checkTypesAndGoPmtudNames(PrometheusServer p) throws Exception {
        for (String[] nameType : new String[][] {{"pmtud_received_total", "counter"}, {"pmtud_peers", "gauge"},
                {"pmtud_processing_seconds", "histogram"}, {"go_pmtud_callback_duration_seconds", "histogram"}}) {
            JsonNode meta = p.api("/api/v1/metadata?metric=" + nameType[0]).path(nameType[0]);
            assertTrue(meta.isArray() && meta.size() > 0, "Prometheus has metadata for " + nameType[0]);
            assertEquals(nameType[1], meta.get(0).get("type").asText(), "the type Prometheus read for " + nameType[0]);
        }
        for (PendingMerges.Metric m : PendingMerges.goPmtudMetrics()) {
            JsonNode series = p.query(m.name() + "{job=\"pmtud\"}");
            assertTrue(series.size() > 0, "Prometheus has " + m.name());
            for (JsonNode s : series) {
                Set<String> labels = new TreeSet<>();
                s.get("metric").fieldNames().forEachRemaining(labels::add);
                labels.removeAll(Set.of("__name__", "job", "instance"));
                assertEquals(new TreeSet<>(m.labels()), labels, m.name() + "'s labels: " + s.get("metric"));
                assertEquals("node-a", s.get("metric").get("node").asText(), "only the drop-in daemon exports go-pmtud's names");
            }
        }
        assertEquals(p.sum("sum(pmtud_received_total{node=\"node-a\"})"), p.sum("sum(go_pmtud_recv_packets_total{job=\"pmtud\"})"),
                "go_pmtud_recv_packets_total counts what node-a received");
    }

    /** The rules load and evaluate; the alerts that the load must trigger are pending or firing. */
    static void checkRulesAndAlerts(PrometheusServer p) throws Exception {
        Set<String> loaded = new TreeSet<>();
        for (JsonNode g : p.api("/api/v1/rules").get("groups")) {
            for (JsonNode r : g.get("rules")) {
                loaded.add(r.get("name").asText());
            }
        }
        assertEquals(PrometheusRulesTest.alerts(), loaded, "the rules Prometheus loaded");
        p.await("every rule evaluated without error", SCRAPE_LIMIT, () -> p.api("/api/v1/rules"), PrometheusScrapeTest::allRulesOk);
        // node-b cannot reach 198.51.100.99 (for: 5m, so pending) and had its rule deleted (firing at once)
        p.await("PmtudPeerSentErrorCountHigh pending for node-b's unreachable peer", SCRAPE_LIMIT, () -> p.api("/api/v1/alerts"),
                a -> hasAlert(a, "PmtudPeerSentErrorCountHigh", "pending", "peer", UNREACHABLE));
        p.await("PmtudRuleReAdded firing for node-b", SCRAPE_LIMIT, () -> p.api("/api/v1/alerts"),
                a -> hasAlert(a, "PmtudRuleReAdded", "firing", "node", "node-b"));
        JsonNode alerts = p.api("/api/v1/alerts");
        for (String quiet : List.of("PmtudNoPeers", "PmtudSourceLostMessages")) {
            assertTrue(!alerts.toString().contains("\"" + quiet + "\""), quiet + " must stay quiet: " + alerts);
        }
        assertTrue(!hasAlert(alerts, "PmtudPeerSentErrorCountHigh", "pending", "peer", PEER4), "the reachable peer has no errors: " + alerts);
    }

    static boolean allRulesOk(JsonNode rules) {
        for (JsonNode g : rules.get("groups")) {
            for (JsonNode r : g.get("rules")) {
                if (!"ok".equals(r.path("health").asText())) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean hasAlert(JsonNode alerts, String name, String state, String label, String value) {
        for (JsonNode a : alerts.get("alerts")) {
            JsonNode l = a.get("labels");
            if (name.equals(l.path("alertname").asText()) && state.equals(a.path("state").asText()) && value.equals(l.path(label).asText())) {
                return true;
            }
        }
        return false;
    }

    /** Every query of the dashboard (and its node variable) returns a series. */
    static void checkDashboard(PrometheusServer p) throws Exception {
        JsonNode dashboard = JSON.readTree(RepoPaths.root().resolve("deploy/grafana/pmtud.json").toFile());
        List<String> empty = new ArrayList<>();
        int queries = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.get("expr").asText().replace("$node", ".*").replace("$__rate_interval", RATE_INTERVAL);
                String title = panel.get("title").asText();
                if (!PendingMerges.RELAY && PendingMerges.RELAY_PANELS.contains(title)) {
                    continue; // its series come with the relay (PendingMerges)
                }
                queries++;
                if (p.query(expr).size() == 0) {
                    empty.add(title + ": " + expr);
                }
            }
        }
        assertTrue(queries >= 12, "the dashboard's queries were found: " + queries);
        assertTrue(empty.isEmpty(), "dashboard queries without a series:\n  " + String.join("\n  ", empty));
        JsonNode variable = dashboard.get("templating").get("list").get(1);
        assertEquals("label_values(pmtud_received_total, node)", variable.get("definition").asText());
        Set<String> nodes = new TreeSet<>();
        Iterator<JsonNode> values = p.api("/api/v1/label/node/values?match[]=" + URLEncoder.encode("pmtud_received_total", StandardCharsets.UTF_8)).elements();
        values.forEachRemaining(v -> nodes.add(v.asText()));
        assertEquals(Set.of("node-a", "node-b"), nodes, "the dashboard's node variable");
    }
}
