package dev.pmtud.app.gopmtud;

import dev.pmtud.api.Packet;
import dev.pmtud.core.Decision;
import dev.pmtud.core.DecisionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * go-pmtud's metrics, with its names, labels, types, help texts and histogram buckets (its
 * {@code internal/metrics/metrics.go}, 2024–2026), next to pmtud's own on {@code /metrics}
 * ({@code metrics: { go-pmtud: true }}), so that its dashboards and its alert keep working when only
 * the image changes:
 * <ul>
 *   <li>{@code go_pmtud_recv_packets_total{node,source_ip}}: messages captured and relayed, by the
 *       embedded packet's source (go-pmtud counts after its ignore-networks check, so: forwarded by
 *       a pipeline that does not inject); at most {@value #MAX_SOURCES} addresses, then
 *       {@code source_ip="other"};</li>
 *   <li>{@code go_pmtud_callback_duration_seconds{node}}: a histogram with go-pmtud's buckets, from
 *       the kernel's capture time to the end of sending (go-pmtud times its callback, which starts a
 *       little later, when the message is read);</li>
 *   <li>read from pmtud's counters when scraped: {@code go_pmtud_sent_packets_total{node}},
 *       {@code go_pmtud_sent_packets_peer{node,peer}} (a counter without {@code _total}),
 *       {@code go_pmtud_sent_error_peer_total{node,peer}}, {@code go_pmtud_peer_arp_resolve_error{node,peer}}
 *       (2024's name, also without {@code _total}: l2-unicast found no MAC), {@code go_pmtud_error_total{node}}
 *       (invalid, refused and failed messages) and {@code go_pmtud_injected_packets_total{node,source}}
 *       (what the udp source accepted from each peer and handed on).</li>
 * </ul>
 * Pre-registered at zero where go-pmtud does it ({@code recv_packets_total{source_ip=""}},
 * {@code error_total}, {@code injected_packets_total{source=""}}); the others exist at zero from the
 * start too (go-pmtud makes them on the first event), the per-peer ones for every peer pmtud's
 * sinks know: a zero series changes no rate, sum or ratio. No {@code pipeline} label: go-pmtud had
 * none, so each series sums over every pipeline.
 */
public final class GoPmtudMetrics implements DecisionListener {
    /** go-pmtud's {@code CallbackDuration} buckets. */
    static final double[] BUCKETS = {0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09};
    /** Embedded sources counted apart in {@code go_pmtud_recv_packets_total}; more are {@code source_ip="other"}. */
    static final int MAX_SOURCES = 1024;
    /** How often the wall clock is read again to turn System.nanoTime into epoch time (a capture time is epoch nanoseconds). */
    private static final long CLOCK_EVERY_NANOS = 60_000_000_000L;

    private final MeterRegistry registry;
    private final String node;
    private volatile Set<String> injectingPipelines = Set.of();

    // guarded by this
    private final AddressCounts received = new AddressCounts(MAX_SOURCES);
    private final long[] buckets = new long[BUCKETS.length];
    private long observations;
    private long sumNanos;
    private long epochMinusNano;
    private long clockReadAt;

    /** @param registry where pmtud's own counters are (read when scraped) */
    public GoPmtudMetrics(MeterRegistry registry, String node) {
        this.registry = registry;
        this.node = node;
        readClock(System.nanoTime());
    }

    /** The pipelines whose sinks inject what they receive (the relay's {@code receive}): their messages were not captured here. */
    public void injectingPipelines(Collection<String> names) {
        injectingPipelines = Set.copyOf(names);
    }

    /** Counts a message this node captured and relayed; on the source's thread, allocation-free. */
    @Override
    public void decided(String pipeline, Packet packet, Decision decision) {
        if (decision.outcome() != Decision.Outcome.FORWARDED || injectingPipelines.contains(pipeline)) {
            return;
        }
        long nano = System.nanoTime();
        synchronized (this) {
            if (nano - clockReadAt > CLOCK_EVERY_NANOS) {
                readClock(nano);
            }
            received.increment(packet.buffer(), packet.innerSourceOffset(), packet.addressLength());
            long took = Math.max(0, nano + epochMinusNano - packet.timestampNanos());
            double seconds = took / 1e9;
            int b = 0;
            while (b < BUCKETS.length && seconds > BUCKETS[b]) {
                b++;
            }
            if (b < BUCKETS.length) {
                buckets[b]++;
            }
            observations++;
            sumNanos += took;
        }
    }

    private void readClock(long nano) {
        Instant now = Instant.now();
        epochMinusNano = now.getEpochSecond() * 1_000_000_000L + now.getNano() - nano;
        clockReadAt = nano;
    }

    /** go-pmtud's families in the text format, to follow pmtud's own on {@code /metrics}. */
    public String exposition() {
        GoExposition out = new GoExposition();
        String recv = "go_pmtud_recv_packets_total";
        String callback = "go_pmtud_callback_duration_seconds";
        out.family(recv, "counter", "Number of ICMP frag-needed packets captured from the kernel (nflog) on this node");
        out.family(callback, "histogram", "Duration of NFlog callback in seconds");
        synchronized (this) {
            readClock(System.nanoTime());
            Map<String, Long> bySource = new TreeMap<>();
            bySource.put("", 0L); // go-pmtud: "ensure counters are reported"
            received.forEach(bySource::put);
            bySource.forEach((ip, n) -> out.add(recv, recv, n, "node", node, "source_ip", ip));
            long cumulative = 0;
            for (int b = 0; b < BUCKETS.length; b++) {
                cumulative += buckets[b];
                out.add(callback, callback + "_bucket", cumulative, "node", node, "le", GoExposition.number(BUCKETS[b]));
            }
            out.add(callback, callback + "_bucket", observations, "node", node, "le", "+Inf");
            out.add(callback, callback + "_sum", sumNanos / 1e9, "node", node);
            out.add(callback, callback + "_count", observations, "node", node);
        }
        PmtudCounters pmtud = new PmtudCounters(registry);
        counter(out, "go_pmtud_sent_packets_total", "Number of sent ICMP packets", Map.of("", pmtud.sent.total()), null);
        counter(out, "go_pmtud_sent_packets_peer", "Number of sent ICMP packets per peer", pmtud.sent.byPeer(pmtud.sendPeers()), "peer");
        counter(out, "go_pmtud_sent_error_peer_total", "Number of errors per peer", pmtud.sendErrors.byPeer(pmtud.sendPeers()), "peer");
        counter(out, "go_pmtud_peer_arp_resolve_error", "Number of ARP resolution errors per peer", pmtud.noMac.byPeer(pmtud.sendPeers()), "peer");
        counter(out, "go_pmtud_error_total", "Number of general errors in go-pmtud", Map.of("", pmtud.errors.total()), null);
        Map<String, Double> injected = new TreeMap<>(pmtud.received.byPeer(pmtud.received.peers()));
        injected.put("", 0.0); // go-pmtud's udp backend: "ensure the counter is reported from the start"
        counter(out, "go_pmtud_injected_packets_total",
                "Number of relayed ICMP packets received from a peer and injected via the TUN device", injected, "source");
        return out.text();
    }

    private void counter(GoExposition out, String name, String help, Map<String, Double> values, String label) {
        out.family(name, "counter", help);
        new TreeMap<>(values).forEach((key, v) -> {
            if (label == null) {
                out.add(name, name, v, "node", node);
            } else {
                out.add(name, name, v, "node", node, label, key);
            }
        });
    }

    /** pmtud's counters go-pmtud's are read from, summed over pipelines and sinks, by peer where they have one. */
    private static final class PmtudCounters {
        final Sums sent = new Sums();
        final Sums sendErrors = new Sums();
        final Sums noMac = new Sums();
        final Sums errors = new Sums();
        final Sums received = new Sums();

        PmtudCounters(MeterRegistry registry) {
            for (Meter m : registry.getMeters()) {
                double v = m instanceof Counter c ? c.count() : m instanceof FunctionCounter f ? f.count() : Double.NaN;
                if (Double.isNaN(v)) {
                    continue;
                }
                String peer = m.getId().getTag("peer");
                switch (m.getId().getName()) {
                    case "pmtud_peer_sent_total" -> sent.add(peer, v);
                    case "pmtud_peer_send_errors_total" -> {
                        sendErrors.add(peer, v);
                        noMac.add(peer, "no-mac".equals(m.getId().getTag("errno")) ? v : 0);
                        errors.add(null, v);
                    }
                    case "pmtud_peer_received_total" -> received.add(peer, v);
                    case "pmtud_invalid_total", "pmtud_sink_errors_total", "pmtud_source_discarded_total" -> errors.add(null, v);
                    default -> { }
                }
            }
        }

        /** Every peer a sink addresses (sent to, or failed to). */
        Set<String> sendPeers() {
            Set<String> all = new TreeSet<>(sent.peers());
            all.addAll(sendErrors.peers());
            return all;
        }
    }

    /** A total and per-peer sums of one counter name. */
    private static final class Sums {
        private double total;
        private final Map<String, Double> byPeer = new TreeMap<>();

        void add(String peer, double v) {
            total += v;
            if (peer != null) {
                byPeer.merge(peer, v, Double::sum);
            }
        }

        double total() {
            return total;
        }

        Set<String> peers() {
            return byPeer.keySet();
        }

        Map<String, Double> byPeer(Set<String> peers) {
            Map<String, Double> out = new TreeMap<>();
            peers.forEach(p -> out.put(p, byPeer.getOrDefault(p, 0.0)));
            return out;
        }
    }
}
