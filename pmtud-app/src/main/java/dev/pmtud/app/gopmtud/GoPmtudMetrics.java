package dev.pmtud.app.gopmtud;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * go-pmtud's metric names, derived from pmtud's own counters, so that dashboards keep working
 * when only the image changes: {@code go_pmtud_recv_packets_total{node}},
 * {@code go_pmtud_sent_packets_total{node}}, {@code go_pmtud_sent_packets_peer{node,peer}},
 * {@code go_pmtud_sent_error_peer_total{node,peer}}, {@code go_pmtud_error_total{node}} and
 * {@code go_pmtud_callback_duration_seconds{node}}. Every series reads pmtud's meters when
 * scraped, so the packet path pays nothing for them. go-pmtud had no pipelines: each alias sums
 * pmtud's series over every {@code pipeline} label (the drop-in mode runs one, {@code main}).
 */
public final class GoPmtudMetrics {
    private static final java.time.Duration[] DEFAULT_BUCKETS = java.util.stream.DoubleStream
            .of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .mapToObj(s -> java.time.Duration.ofNanos((long) (s * 1e9))).toArray(java.time.Duration[]::new);

    private final MeterRegistry registry;
    private final String node;
    private final Set<String> peers = ConcurrentHashMap.newKeySet();
    private final Timer callback;

    private GoPmtudMetrics(MeterRegistry registry, String node) {
        this.registry = registry;
        this.node = node;
        this.callback = Timer.builder("go_pmtud_callback_duration_seconds").tag("node", node)
                .description("go-pmtud compatible: time from capture to the end of processing")
                // The Prometheus client's default buckets, which go-pmtud's histogram used.
                .serviceLevelObjectives(DEFAULT_BUCKETS)
                .register(registry);
    }

    /** Registers the aliases; per-peer ones appear as pmtud's per-peer counters do. Call before the pipeline is built. */
    public static GoPmtudMetrics bind(MeterRegistry registry, String node) {
        GoPmtudMetrics m = new GoPmtudMetrics(registry, node);
        FunctionCounter.builder("go_pmtud_recv_packets_total", m, x -> x.sum("pmtud_received_total", null))
                .tag("node", node).description("go-pmtud compatible: messages received").register(registry);
        FunctionCounter.builder("go_pmtud_sent_packets_total", m, x -> x.sum("pmtud_peer_sent_total", null))
                .tag("node", node).description("go-pmtud compatible: messages sent to peers").register(registry);
        FunctionCounter.builder("go_pmtud_error_total", m,
                        x -> x.sum("pmtud_sink_errors_total", null) + x.sum("pmtud_peer_send_errors_total", null))
                .tag("node", node).description("go-pmtud compatible: errors").register(registry);
        registry.config().onMeterAdded(meter -> m.peerAppeared(meter));
        return m;
    }

    private void peerAppeared(Meter meter) {
        String name = meter.getId().getName();
        String peer = meter.getId().getTag("peer");
        if (peer == null || !(name.equals("pmtud_peer_sent_total") || name.equals("pmtud_peer_send_errors_total"))
                || !peers.add(peer)) {
            return;
        }
        // go-pmtud's per-peer count has no _total suffix; a gauge keeps the name as it was.
        Gauge.builder("go_pmtud_sent_packets_peer", this, x -> x.sum("pmtud_peer_sent_total", peer))
                .tags("node", node, "peer", peer).description("go-pmtud compatible: messages sent to this peer").register(registry);
        FunctionCounter.builder("go_pmtud_sent_error_peer_total", this, x -> x.sum("pmtud_peer_send_errors_total", peer))
                .tags("node", node, "peer", peer).description("go-pmtud compatible: send errors to this peer").register(registry);
    }

    /** Records one message's capture-to-done time (a DecisionListener in drop-in mode). */
    public void processed(long captureNanos) {
        java.time.Instant t = java.time.Instant.now();
        long now = t.getEpochSecond() * 1_000_000_000L + t.getNano();
        long d = now - captureNanos;
        if (d >= 0 && d < 60_000_000_000L) { // a capture clock far off says nothing about processing
            callback.record(d, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private double sum(String name, String peer) {
        double total = 0;
        for (Meter m : (peer == null ? registry.find(name) : registry.find(name).tag("peer", peer)).meters()) {
            if (m instanceof Counter c) {
                total += c.count();
            } else if (m instanceof FunctionCounter f) {
                total += f.count();
            }
        }
        return total;
    }
}
