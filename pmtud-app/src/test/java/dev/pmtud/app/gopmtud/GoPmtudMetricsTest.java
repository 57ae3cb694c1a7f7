package dev.pmtud.app.gopmtud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.core.Decision;
import dev.pmtud.testkit.AllocationCheck;
import dev.pmtud.testkit.PromText;
import dev.pmtud.testkit.Ptb;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * go-pmtud's series as Prometheus reads them from {@code /metrics}: pmtud's registry scrape followed
 * by {@link GoPmtudMetrics#exposition()}, parsed as text. Names, label sets, TYPE lines, help texts
 * and buckets are go-pmtud's ({@code internal/metrics/metrics.go}).
 */
class GoPmtudMetricsTest {
    private static final String NODE = "node-1";

    /** Every name with its label set and type, from go-pmtud's sources (issue 13's list). */
    static final Map<String, List<String>> LABELS = Map.of(
            "go_pmtud_recv_packets_total", List.of("node", "source_ip"),
            "go_pmtud_sent_packets_total", List.of("node"),
            "go_pmtud_sent_packets_peer", List.of("node", "peer"),
            "go_pmtud_sent_error_peer_total", List.of("node", "peer"),
            "go_pmtud_error_total", List.of("node"),
            "go_pmtud_peer_arp_resolve_error", List.of("node", "peer"),
            "go_pmtud_injected_packets_total", List.of("node", "source"),
            "go_pmtud_callback_duration_seconds", List.of("node"));

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private Counter counter(String name, String... tags) {
        return Counter.builder(name).tags(tags).register(registry);
    }

    private static Packet packet(String innerSource, long capturedNanos) {
        byte[] l3 = (innerSource.contains(":") ? Ptb.v6().from("2001:db8:ff::1").to("2001:db8:100::10")
                .tcp(innerSource, 443, "2001:db8:1::2", 50000) : Ptb.v4().from("203.0.113.1").to("203.0.113.10")
                .tcp(innerSource, 443, "198.51.100.2", 50000)).build();
        Packet p = new Packet();
        p.wrap(l3, 0, l3.length, LinkType.RAW, capturedNanos);
        assertTrue(p.decode(), "a valid message");
        return p;
    }

    private static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Test
    void seriesAsGoPmtudExposesThem() {
        GoPmtudMetrics go = new GoPmtudMetrics(registry, NODE);
        go.injectingPipelines(List.of("receive"));
        String base = "pipeline";
        counter("pmtud_peer_sent_total", "node", NODE, base, "replicate", "sink", "udp", "peer", "192.0.2.2").increment(3);
        counter("pmtud_peer_sent_total", "node", NODE, base, "replicate", "sink", "udp", "peer", "192.0.2.3").increment(2);
        counter("pmtud_peer_send_errors_total", "node", NODE, base, "replicate", "sink", "udp", "peer", "192.0.2.3", "errno", "EHOSTUNREACH")
                .increment(1);
        counter("pmtud_peer_send_errors_total", "node", NODE, base, "replicate", "sink", "udp", "peer", "192.0.2.3", "errno", "no-mac")
                .increment(4);
        counter("pmtud_invalid_total", "node", NODE, base, "receive", "reason", "not-icmp").increment(1);
        counter("pmtud_source_discarded_total", "node", NODE, base, "receive", "source", "udp", "reason", "not-a-peer").increment(2);
        counter("pmtud_peer_received_total", "node", NODE, base, "receive", "source", "udp", "peer", "192.0.2.2").increment(6);
        counter("pmtud_peer_received_total", "node", NODE, base, "receive", "source", "udp", "peer", "192.0.2.3");

        long t = now();
        go.decided("replicate", packet("203.0.113.10", t - 15_000_000L), Decision.FORWARDED);     // 15 ms: bucket 0.02
        go.decided("replicate", packet("203.0.113.10", t - 5_000_000L), Decision.FORWARDED);      // 5 ms: bucket 0.01
        go.decided("replicate", packet("2001:db8:100::10", t - 200_000_000L), Decision.FORWARDED); // 200 ms: +Inf only
        go.decided("replicate", packet("203.0.113.99", t), Decision.dropped("exclude-networks", "excluded")); // ignored: not counted
        go.decided("receive", packet("203.0.113.77", t), Decision.FORWARDED); // relayed to this node, not captured here

        String text = registry.scrape() + go.exposition();
        PromText prom = PromText.parse(text);
        for (Map.Entry<String, List<String>> e : LABELS.entrySet()) {
            String sampleName = e.getKey().equals("go_pmtud_callback_duration_seconds") ? e.getKey() + "_count" : e.getKey();
            assertTrue(prom.has(sampleName), sampleName + " in:\n" + text);
            for (PromText.Sample s : prom.samples(sampleName)) {
                assertEquals(new TreeSet<>(e.getValue()), new TreeSet<>(s.labels().keySet()), "labels of " + s);
            }
        }
        // the types Prometheus reads, and no second spelling of a name without _total
        for (String counter : List.of("go_pmtud_recv_packets_total", "go_pmtud_sent_packets_total", "go_pmtud_sent_packets_peer",
                "go_pmtud_sent_error_peer_total", "go_pmtud_error_total", "go_pmtud_peer_arp_resolve_error", "go_pmtud_injected_packets_total")) {
            assertEquals(1, text.lines().filter(l -> l.equals("# TYPE " + counter + " counter")).count(), counter + " is a counter:\n" + text);
        }
        assertTrue(text.contains("# TYPE go_pmtud_callback_duration_seconds histogram\n"), text);
        assertFalse(text.contains("go_pmtud_sent_packets_peer_total") || text.contains("go_pmtud_peer_arp_resolve_error_total"), text);
        assertTrue(text.contains("# HELP go_pmtud_sent_packets_peer Number of sent ICMP packets per peer\n"), text);

        assertLine(text, "go_pmtud_recv_packets_total{node=\"node-1\",source_ip=\"\"} 0");
        assertLine(text, "go_pmtud_recv_packets_total{node=\"node-1\",source_ip=\"203.0.113.10\"} 2");
        assertLine(text, "go_pmtud_recv_packets_total{node=\"node-1\",source_ip=\"2001:db8:100::10\"} 1");
        assertEquals(3, prom.sum("go_pmtud_recv_packets_total"), "the dropped and the relayed ones are not captures: " + text);
        assertLine(text, "go_pmtud_sent_packets_total{node=\"node-1\"} 5");
        assertLine(text, "go_pmtud_sent_packets_peer{node=\"node-1\",peer=\"192.0.2.2\"} 3");
        assertLine(text, "go_pmtud_sent_packets_peer{node=\"node-1\",peer=\"192.0.2.3\"} 2");
        assertLine(text, "go_pmtud_sent_error_peer_total{node=\"node-1\",peer=\"192.0.2.2\"} 0");
        assertLine(text, "go_pmtud_sent_error_peer_total{node=\"node-1\",peer=\"192.0.2.3\"} 5");
        assertLine(text, "go_pmtud_peer_arp_resolve_error{node=\"node-1\",peer=\"192.0.2.3\"} 4");
        assertLine(text, "go_pmtud_error_total{node=\"node-1\"} 8"); // 5 send errors, 1 invalid, 2 refused
        assertLine(text, "go_pmtud_injected_packets_total{node=\"node-1\",source=\"\"} 0");
        assertLine(text, "go_pmtud_injected_packets_total{node=\"node-1\",source=\"192.0.2.2\"} 6");
        assertLine(text, "go_pmtud_injected_packets_total{node=\"node-1\",source=\"192.0.2.3\"} 0");

        List<String> les = new ArrayList<>();
        for (double b : GoPmtudMetrics.BUCKETS) {
            les.add(GoExposition.number(b));
        }
        les.add("+Inf");
        assertEquals(List.of("0.01", "0.02", "0.03", "0.04", "0.05", "0.06", "0.07", "0.08", "0.09", "+Inf"), les, "go-pmtud's buckets");
        Map<String, Double> buckets = prom.samples("go_pmtud_callback_duration_seconds_bucket").stream()
                .collect(Collectors.toMap(s -> s.labels().get("le"), PromText.Sample::value));
        assertEquals(Set.copyOf(les), buckets.keySet());
        assertEquals(1.0, buckets.get("0.01"), text);
        assertEquals(2.0, buckets.get("0.02"), text);
        assertEquals(2.0, buckets.get("0.09"), text);
        assertEquals(3.0, buckets.get("+Inf"), text);
        assertLine(text, "go_pmtud_callback_duration_seconds_count{node=\"node-1\"} 3");
        double sum = prom.sum("go_pmtud_callback_duration_seconds_sum");
        assertTrue(sum >= 0.22 && sum < 0.3, "15 + 5 + 200 ms, and the test's own time: " + sum);
    }

    @Test
    void beforeAnyMessageGoPmtudsPreRegisteredSeriesAreThereAtZero() {
        String text = new GoPmtudMetrics(registry, NODE).exposition();
        assertLine(text, "go_pmtud_recv_packets_total{node=\"node-1\",source_ip=\"\"} 0");
        assertLine(text, "go_pmtud_error_total{node=\"node-1\"} 0");
        assertLine(text, "go_pmtud_injected_packets_total{node=\"node-1\",source=\"\"} 0");
        assertLine(text, "go_pmtud_callback_duration_seconds_bucket{node=\"node-1\",le=\"+Inf\"} 0");
    }

    @Test
    void embeddedSourcesBeyondTheCapacityAreCountedTogether() {
        GoPmtudMetrics go = new GoPmtudMetrics(registry, NODE);
        int extra = 5;
        for (int i = 0; i < GoPmtudMetrics.MAX_SOURCES + extra; i++) {
            go.decided("main", packet("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), now()), Decision.FORWARDED);
        }
        go.decided("main", packet("10.0.0.0", now()), Decision.FORWARDED); // the first is still counted on its own
        PromText prom = PromText.parse(go.exposition());
        assertEquals(GoPmtudMetrics.MAX_SOURCES + 2, prom.samples("go_pmtud_recv_packets_total").size(), "the sources, \"\" and other");
        assertEquals(extra, prom.sum("go_pmtud_recv_packets_total", l -> "other".equals(l.get("source_ip"))));
        assertEquals(2, prom.sum("go_pmtud_recv_packets_total", l -> "10.0.0.0".equals(l.get("source_ip"))));
    }

    /** Counting a captured message (a known source, the histogram) allocates nothing; under C1 too. */
    @Test
    void countingAllocatesNothing() {
        AllocationCheck.assumeMeasurable();
        GoPmtudMetrics go = new GoPmtudMetrics(registry, NODE);
        go.injectingPipelines(List.of("receive"));
        Packet[] packets = {packet("203.0.113.10", now()), packet("2001:db8:100::10", now()), packet("203.0.113.11", now())};
        long allocated = AllocationCheck.bytesAllocated((from, to) -> {
            for (int i = from; i < to; i++) {
                go.decided(i % 5 == 0 ? "receive" : "replicate", packets[i % packets.length], Decision.FORWARDED);
            }
        }, 200_000);
        // One object per message would be 3 MB at least; a few KiB are the JVM's own (a run among other
        // tests once showed 4424 bytes here, alone it shows none), not the path's.
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 200000 messages");
        assertTrue(PromText.parse(go.exposition()).sum("go_pmtud_recv_packets_total") > 0);
    }

    @Test
    void countingAllocatesNothingUnderC1() throws Exception {
        AllocationCheck.assertPassesUnderC1(GoPmtudMetricsTest.class);
    }

    /** Entry point of {@link #countingAllocatesNothingUnderC1}'s child JVM. */
    public static void main(String[] args) {
        new GoPmtudMetricsTest().countingAllocatesNothing();
        AllocationCheck.passed();
    }

    private static void assertLine(String text, String line) {
        assertTrue(text.lines().anyMatch(line::equals), "the line\n" + line + "\nin:\n" + text);
    }
}
