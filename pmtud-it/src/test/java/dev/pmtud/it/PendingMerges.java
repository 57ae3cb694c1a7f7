package dev.pmtud.it;

import dev.pmtud.core.PluginRegistry;
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
 * </ul>
 *
 * <p>go-pmtud's flags and metrics of 2024-2026 (issue 13) are merged: Prometheus must hold all of
 * go-pmtud's names with go-pmtud's labels ({@link #GO_PMTUD_METRICS}), and the chart's probes use
 * go-pmtud's health port. (The nftables rule backend is merged; the image keeps iptables for
 * {@code backend: iptables}, docs/image.md says why.)
 */
final class PendingMerges {
    static final boolean RELAY = true;

    /** go-pmtud's names Prometheus must hold, with go-pmtud's labels (besides the scrape's job and instance). */
    static final List<Metric> GO_PMTUD_METRICS = List.of(
            new Metric("go_pmtud_recv_packets_total", List.of("node", "source_ip")),
            new Metric("go_pmtud_sent_packets_total", List.of("node")),
            new Metric("go_pmtud_sent_packets_peer", List.of("node", "peer")),
            new Metric("go_pmtud_sent_error_peer_total", List.of("node", "peer")),
            new Metric("go_pmtud_error_total", List.of("node")),
            new Metric("go_pmtud_peer_arp_resolve_error", List.of("node", "peer")),
            new Metric("go_pmtud_injected_packets_total", List.of("node", "source")),
            new Metric("go_pmtud_callback_duration_seconds_count", List.of("node")));

    /** The dashboard panels whose queries can only return a series once the relay is merged. */
    static final List<String> RELAY_PANELS = List.of("Relay refusals, by reason");

    record Metric(String name, List<String> labels) {
    }

    private PendingMerges() {
    }

    /** Fails when a switch is off although its feature is in this build. */
    static void assertUpToDate(PluginRegistry registry) {
        if (!RELAY && registry.find(PluginRegistry.SOURCE, "udp").isPresent()) {
            throw new AssertionError("the udp relay (issue 10) is merged: switch PendingMerges.RELAY on");
        }
    }
}
