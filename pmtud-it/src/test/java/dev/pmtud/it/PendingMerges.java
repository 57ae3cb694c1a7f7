package dev.pmtud.it;

import dev.pmtud.core.PluginRegistry;
import dev.pmtud.testkit.PromText;
import java.util.List;

/**
 * The one list of what the deploy tests (Helm chart, Prometheus, alerts, dashboard) wait for from
 * branches not merged yet. After merging one, the integrator switches its entry on here, and the
 * tests then check the parts that need it. A switch left off while its feature is already there
 * fails {@link #assertUpToDate}, so none is forgotten.
 *
 * <ul>
 *   <li>{@link #RELAY} (issue 10, the authenticated UDP relay), merged, on: the chart's relay
 *       pipeline ({@code pmtud.relayBackend: udp}) passes {@code pmtud validate}; the Prometheus
 *       test runs a relay receiver, which refuses an unsigned datagram, and the dashboard's refusal
 *       panel returns a series. (The Kustomize base moved to the relay with it: the shape test
 *       renders the chart with {@code ci/relay-values.yaml}.)
 *   <li>{@link #GO_PMTUD_2026_METRICS} (issue 13, go-pmtud's flags and metrics of 2024-2026):
 *       {@code go_pmtud_recv_packets_total{node,source_ip}},
 *       {@code go_pmtud_peer_arp_resolve_error{node,peer}},
 *       {@code go_pmtud_injected_packets_total{node,source}}. On: Prometheus must hold them with
 *       those labels.
 * </ul>
 *
 * <p>Not switches, but what the same merges change here: when go-pmtud's separate health port
 * arrives (issue 13), the chart's probes move to it. (The nftables rule backend is merged; the image
 * keeps iptables for {@code backend: iptables}, docs/image.md says why.)
 */
final class PendingMerges {
    static final boolean RELAY = true;
    static final boolean GO_PMTUD_2026_METRICS = false;

    /** go-pmtud's names Prometheus must hold now, with their labels (besides the scrape's job and instance). */
    static final List<Metric> GO_PMTUD_METRICS = List.of(
            new Metric("go_pmtud_recv_packets_total", List.of("node")),
            new Metric("go_pmtud_sent_packets_total", List.of("node")),
            new Metric("go_pmtud_sent_packets_peer", List.of("node", "peer")),
            new Metric("go_pmtud_sent_error_peer_total", List.of("node", "peer")),
            new Metric("go_pmtud_error_total", List.of("node")),
            new Metric("go_pmtud_callback_duration_seconds_count", List.of("node")));

    /** ... and once issue 13 is merged (its recv_packets_total gains source_ip, the embedded packet's source). */
    static final List<Metric> GO_PMTUD_2026 = List.of(
            new Metric("go_pmtud_recv_packets_total", List.of("node", "source_ip")),
            new Metric("go_pmtud_peer_arp_resolve_error", List.of("node", "peer")),
            new Metric("go_pmtud_injected_packets_total", List.of("node", "source")));

    /** The dashboard panels whose queries can only return a series once the relay is merged. */
    static final List<String> RELAY_PANELS = List.of("Relay refusals, by reason");

    record Metric(String name, List<String> labels) {
    }

    private PendingMerges() {
    }

    /** The go-pmtud names and labels to query Prometheus for, with what is switched on. */
    static List<Metric> goPmtudMetrics() {
        if (!GO_PMTUD_2026_METRICS) {
            return GO_PMTUD_METRICS;
        }
        List<Metric> all = new java.util.ArrayList<>(GO_PMTUD_METRICS);
        all.removeIf(m -> GO_PMTUD_2026.stream().anyMatch(n -> n.name().equals(m.name())));
        all.addAll(GO_PMTUD_2026);
        return all;
    }

    /** Fails when a switch is off although its feature is in this build. */
    static void assertUpToDate(PluginRegistry registry, PromText metrics) {
        if (!RELAY && registry.find(PluginRegistry.SOURCE, "udp").isPresent()) {
            throw new AssertionError("the udp relay (issue 10) is merged: switch PendingMerges.RELAY on");
        }
        boolean sourceIp = metrics.samples("go_pmtud_recv_packets_total").stream().anyMatch(s -> s.labels().containsKey("source_ip"));
        if (!GO_PMTUD_2026_METRICS && (sourceIp || metrics.has("go_pmtud_injected_packets_total"))) {
            throw new AssertionError("go-pmtud's 2026 metrics (issue 13) are merged: switch PendingMerges.GO_PMTUD_2026_METRICS on");
        }
    }
}
