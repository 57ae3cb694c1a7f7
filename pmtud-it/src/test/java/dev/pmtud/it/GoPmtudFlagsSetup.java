package dev.pmtud.it;

import dev.pmtud.testkit.PromText;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * pmtud started as today's go-pmtud DaemonSet starts go-pmtud, with its 2026 flags and no
 * configuration file: {@code --relay-backend=udp --nodename --nflog_group --metrics_port
 * --health_port --ignore-networks}, {@code PMTUD_REPLICATION_PORT} from the environment, and pmtud's
 * {@code --peers} (no Kubernetes API in the lab). They describe the relay of docs/relay.md without
 * a key (go-pmtud's format): pipeline {@code replicate} (nflog → exclude-networks → udp sink) and
 * pipeline {@code receive} (udp source → inject sink, {@code pmtud0}), the managed rule on the
 * default route's interface, the health port beside the metrics port.
 *
 * <p>After the transfers ({@link #checkAfterTransfers}): {@code /healthz} and {@code /readyz} answer
 * on every node's health port, and every go-pmtud metric of issue 13 is on {@code /metrics} with its
 * label set and type, counting what the transfers did.
 */
public final class GoPmtudFlagsSetup implements PmtudSetup {
    public static final GoPmtudFlagsSetup UDP = new GoPmtudFlagsSetup();
    static final String REPLICATE = "replicate";
    static final String RECEIVE = "receive";

    /** go-pmtud's names with their label sets (its internal/metrics/metrics.go), and the type Prometheus must read. */
    static final Map<String, List<String>> LABELS = Map.of(
            "go_pmtud_recv_packets_total", List.of("node", "source_ip"),
            "go_pmtud_sent_packets_total", List.of("node"),
            "go_pmtud_sent_packets_peer", List.of("node", "peer"),
            "go_pmtud_sent_error_peer_total", List.of("node", "peer"),
            "go_pmtud_error_total", List.of("node"),
            "go_pmtud_peer_arp_resolve_error", List.of("node", "peer"),
            "go_pmtud_injected_packets_total", List.of("node", "source"),
            "go_pmtud_callback_duration_seconds", List.of("node"));

    private GoPmtudFlagsSetup() {
    }

    public static int healthPort(int node) {
        return 9200 + node;
    }

    @Override
    public String name() {
        return "go-pmtud-2026-flags+udp";
    }

    /** Nothing is read from it: the flags are the configuration ({@code bin/pmtud config-from-flags} prints the YAML). */
    @Override
    public String config(ClusterPlan plan, int n, Path dir) {
        return "# node" + n + " runs with go-pmtud's flags: " + String.join(" ", arguments(plan, n, dir)) + "\n";
    }

    /** Both spellings go-pmtud's cobra takes: {@code --flag=value} and {@code --flag value}. */
    @Override
    public List<String> arguments(ClusterPlan plan, int n, Path configFile) {
        List<String> peers = new ArrayList<>(PmtudSetup.otherNodes(plan, Family.V4, n));
        peers.addAll(PmtudSetup.otherNodes(plan, Family.V6, n));
        return List.of("--relay-backend=udp", "--nodename", "node" + n, "--peers=" + String.join(",", peers),
                "--nflog_group", String.valueOf(PmtudDaemon.NFLOG_GROUP), "--metrics_port=127.0.0.1:" + PmtudDaemon.metricsPort(n),
                "--health_port", "127.0.0.1:" + healthPort(n), "--ignore-networks=" + plan.nodesNet(Family.V4) + "," + plan.nodesNet(Family.V6));
    }

    /** One setting from the environment, as go-pmtud's viper reads it. */
    @Override
    public List<String> environment(ClusterPlan plan, int n) {
        return List.of("PMTUD_REPLICATION_PORT=" + RelaySetup.PORT);
    }

    /** The udp sink sends a message to every peer of its family. */
    @Override
    public List<InetAddress> addressedPeers(ClusterPlan plan, Family f) {
        return PmtudSetup.otherNodes(plan, f, ClusterLab.ICMP_TARGET).stream().map(ClusterLab::addr).toList();
    }

    @Override
    public String replicaInterface() {
        return RelaySetup.DEVICE;
    }

    @Override
    public String replicatingPipeline() {
        return REPLICATE;
    }

    @Override
    public Optional<PipelineSink> receivingSink() {
        return Optional.of(new PipelineSink(RECEIVE, "inject"));
    }

    /** go-pmtud has no dedup or rate limit: every message is relayed. */
    @Override
    public boolean forwardsEveryMessage() {
        return true;
    }

    @Override
    public boolean reachesPods() {
        return true;
    }

    /** What the relay of docs/relay.md creates: the managed rule, the TUN device. */
    @Override
    public void checkRunning(ClusterLab lab, int n, List<String> problems) {
        RelaySetup.RELAY.checkRunning(lab, n, problems);
    }

    @Override
    public void checkStopped(ClusterLab lab, int n, List<String> problems) {
        RelaySetup.RELAY.checkStopped(lab, n, problems);
    }

    @Override
    public void checkAfterTransfers(ClusterLab lab, List<PmtudDaemon> daemons, List<String> problems) throws Exception {
        for (PmtudDaemon d : daemons) {
            int n = d.node();
            for (String probe : List.of("/healthz", "/readyz")) {
                LoopbackHttp.Response r = d.get(healthPort(n), probe);
                if (r.status() != 200) {
                    problems.add("node" + n + ": " + probe + " on the health port " + healthPort(n) + " answered " + r.status() + ": " + r.body());
                }
            }
            if (d.get(healthPort(n), "/metrics").status() != 404) {
                problems.add("node" + n + ": the health port serves probes only, yet /metrics answered there");
            }
            long unauthenticated = d.logText().lines().filter(l -> l.contains("the udp relay is unauthenticated, as go-pmtud's")
                    && l.contains("--relay-key-file")).count();
            if (unauthenticated != 1) {
                problems.add("node" + n + ": one log line should say the relay is unauthenticated and how to add a key; found " + unauthenticated);
            }
            String text = d.get("/metrics").body();
            checkNamesAndTypes(n, text, problems);
            checkCounts(lab, n, PromText.parse(text), problems);
        }
    }

    private static void checkNamesAndTypes(int n, String text, List<String> problems) {
        PromText prom = PromText.parse(text);
        for (Map.Entry<String, List<String>> e : LABELS.entrySet()) {
            boolean histogram = e.getKey().endsWith("_seconds");
            String type = "# TYPE " + e.getKey() + (histogram ? " histogram" : " counter");
            if (text.lines().noneMatch(type::equals)) {
                problems.add("node" + n + ": no line '" + type + "' on /metrics");
            }
            String sample = histogram ? e.getKey() + "_count" : e.getKey();
            if (!prom.has(sample)) {
                problems.add("node" + n + ": no " + sample + " on /metrics");
            }
            for (PromText.Sample s : prom.samples(sample)) {
                if (!new TreeSet<>(s.labels().keySet()).equals(new TreeSet<>(e.getValue()))) {
                    problems.add("node" + n + ": " + s + " should have the labels " + e.getValue());
                }
                if (!("node" + n).equals(s.labels().get("node"))) {
                    problems.add("node" + n + ": " + s + " should say node=\"node" + n + "\" (--nodename)");
                }
            }
        }
        if (text.contains("go_pmtud_sent_packets_peer_total") || text.contains("go_pmtud_peer_arp_resolve_error_total")) {
            problems.add("node" + n + ": go-pmtud's counters without _total must keep their names");
        }
    }

    /** What the transfers did, in go-pmtud's series: node 2 captured and sent, the others injected. */
    private static void checkCounts(ClusterLab lab, int n, PromText m, List<String> problems) {
        double sentByPmtud = m.sum("pmtud_peer_sent_total");
        if (m.sum("go_pmtud_sent_packets_total") != sentByPmtud) {
            problems.add("node" + n + ": go_pmtud_sent_packets_total " + m.sum("go_pmtud_sent_packets_total") + " != pmtud_peer_sent_total " + sentByPmtud);
        }
        if (m.sum("go_pmtud_sent_error_peer_total") != 0 || m.sum("go_pmtud_peer_arp_resolve_error") != 0) {
            problems.add("node" + n + ": no send errors expected: " + m.samples("go_pmtud_sent_error_peer_total"));
        }
        if (m.sum("go_pmtud_recv_packets_total", l -> "".equals(l.get("source_ip"))) != 0
                || m.sum("go_pmtud_injected_packets_total", l -> "".equals(l.get("source"))) != 0) {
            problems.add("node" + n + ": go-pmtud's pre-registered series stay at 0");
        }
        double captured = m.sum("go_pmtud_recv_packets_total");
        if (n == ClusterLab.ICMP_TARGET) {
            for (Family f : Family.values()) {
                // the embedded packet is the VIP's oversized segment: its source is the VIP
                if (m.sum("go_pmtud_recv_packets_total", l -> f.vip().equals(l.get("source_ip"))) < 1) {
                    problems.add("node2: go_pmtud_recv_packets_total{source_ip=\"" + f.vip() + "\"} should count the " + f + " messages: "
                            + m.samples("go_pmtud_recv_packets_total"));
                }
                String node1 = lab.plan.nodeAddress(f, ClusterLab.OWNER);
                double toNode1 = m.sum("go_pmtud_sent_packets_peer", l -> node1.equals(l.get("peer")));
                if (toNode1 < 1 || toNode1 != m.sum("pmtud_peer_sent_total", l -> node1.equals(l.get("peer")))) {
                    problems.add("node2: go_pmtud_sent_packets_peer{peer=\"" + node1 + "\"} " + toNode1 + " should be pmtud_peer_sent_total's, at least 1");
                }
            }
            if (m.sum("go_pmtud_callback_duration_seconds_count") != captured || captured != m.sum("pmtud_forwarded_total",
                    l -> REPLICATE.equals(l.get("pipeline")))) {
                problems.add("node2: every captured message is timed once and was forwarded: recv " + captured + ", callback count "
                        + m.sum("go_pmtud_callback_duration_seconds_count"));
            }
        } else {
            if (captured != 0) {
                problems.add("node" + n + ": captured nothing itself, yet go_pmtud_recv_packets_total is " + captured);
            }
            double injected = m.sum("pmtud_sink_sent_total", l -> RECEIVE.equals(l.get("pipeline")) && "inject".equals(l.get("sink")));
            for (Family f : Family.values()) {
                String node2 = lab.plan.nodeAddress(f, ClusterLab.ICMP_TARGET);
                if (m.sum("go_pmtud_injected_packets_total", l -> node2.equals(l.get("source"))) < 1) {
                    problems.add("node" + n + ": go_pmtud_injected_packets_total{source=\"" + node2 + "\"} should count node2's " + f
                            + " relays: " + m.samples("go_pmtud_injected_packets_total"));
                }
            }
            if (m.sum("go_pmtud_injected_packets_total") != injected) {
                problems.add("node" + n + ": go_pmtud_injected_packets_total " + m.sum("go_pmtud_injected_packets_total")
                        + " should be what the inject sink wrote, " + injected);
            }
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
