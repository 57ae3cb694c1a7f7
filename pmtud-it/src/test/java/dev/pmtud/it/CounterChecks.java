package dev.pmtud.it;

import dev.pmtud.testkit.PromText;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** What pmtud's /metrics must say around a transfer, and the wait for every counter to settle. */
final class CounterChecks {
    static final String RECEIVED = "pmtud_received_total";
    static final String FORWARDED = "pmtud_forwarded_total";
    static final String SINK_SENT = "pmtud_sink_sent_total";
    static final String PEER_SENT = "pmtud_peer_sent_total";
    static final String PEER_ERRORS = "pmtud_peer_send_errors_total";
    static final Duration STABLE_WINDOW = Duration.ofMillis(1500);
    static final Duration STABLE_LIMIT = Duration.ofSeconds(10);

    private CounterChecks() {
    }

    /**
     * Node 2 received and forwarded the transfer's message(s); its sink sent each forwarded message to
     * each addressed peer once, without errors; and where the replicas go through a sink on the
     * receiving nodes ({@link PmtudSetup#receivingSink()}), each of them handed exactly as many to its
     * kernel. Node 2's counters are read from {@link PmtudSetup#replicatingPipeline()}'s series only,
     * the receivers' from the receiving sink's pipeline. Returns node 2's forwarded count.
     */
    static long checkTransfer(String label, ClusterLab lab, PmtudSetup setup, Family f, Map<Integer, PromText> before,
                              Map<Integer, PromText> after, List<String> problems, List<String> report) {
        PromText b = before.get(ClusterLab.ICMP_TARGET);
        PromText a = after.get(ClusterLab.ICMP_TARGET);
        String pipeline = setup.replicatingPipeline();
        Predicate<Map<String, String>> inPipeline = l -> pipeline.equals(l.get("pipeline"));
        String where = "{pipeline=\"" + pipeline + "\"}";
        double received = a.sum(RECEIVED, inPipeline) - b.sum(RECEIVED, inPipeline);
        double forwarded = a.sum(FORWARDED, inPipeline) - b.sum(FORWARDED, inPipeline);
        double sinkSent = a.sum(SINK_SENT, inPipeline) - b.sum(SINK_SENT, inPipeline);
        StringBuilder line = new StringBuilder(label + " node2 counters" + where + ": received +" + (long) received + ", forwarded +"
                + (long) forwarded + ", sink sent +" + (long) sinkSent);
        if (received < 1) {
            problems.add(label + ": node2's " + RECEIVED + where + " did not grow (" + b.sum(RECEIVED, inPipeline) + " -> "
                    + a.sum(RECEIVED, inPipeline) + "); series: " + a.samples(RECEIVED));
        }
        if (forwarded < 1) {
            problems.add(label + ": node2's " + FORWARDED + where + " did not grow (" + b.sum(FORWARDED, inPipeline) + " -> "
                    + a.sum(FORWARDED, inPipeline) + "); series: " + a.samples(FORWARDED));
        }
        for (InetAddress peer : setup.addressedPeers(lab.plan, f)) {
            Predicate<Map<String, String>> toPeer = l -> inPipeline.test(l) && isPeer(l.get("peer"), peer);
            double sent = a.sum(PEER_SENT, toPeer) - b.sum(PEER_SENT, toPeer);
            double errors = a.sum(PEER_ERRORS, toPeer) - b.sum(PEER_ERRORS, toPeer);
            line.append(", peer ").append(peer.getHostAddress()).append(" +").append((long) sent);
            if (a.samples(PEER_SENT).stream().noneMatch(s -> toPeer.test(s.labels()))) {
                problems.add(label + ": node2 has no " + PEER_SENT + where + " series for peer " + peer.getHostAddress() + "; series: "
                        + a.samples(PEER_SENT));
            } else if (sent != forwarded) {
                problems.add(label + ": node2 sent " + (long) sent + " to peer " + peer.getHostAddress() + " but forwarded " + (long) forwarded
                        + " (each forwarded message goes to each peer once)");
            }
            if (errors != 0) {
                problems.add(label + ": node2 counted " + (long) errors + " send errors to peer " + peer.getHostAddress() + ": "
                        + a.samples(PEER_ERRORS));
            }
        }
        setup.receivingSink().ifPresent(sink -> {
            Predicate<Map<String, String>> bySink = l -> sink.pipeline().equals(l.get("pipeline")) && sink.sink().equals(l.get("sink"));
            for (int n : after.keySet()) {
                if (n == ClusterLab.ICMP_TARGET) {
                    continue;
                }
                double handed = after.get(n).sum(SINK_SENT, bySink) - before.get(n).sum(SINK_SENT, bySink);
                line.append(", node").append(n).append(' ').append(sink.pipeline()).append('/').append(sink.sink()).append(" +").append((long) handed);
                if (handed != forwarded) {
                    problems.add(label + ": node" + n + "'s " + sink.sink() + " sink (pipeline " + sink.pipeline() + ") sent " + (long) handed
                            + " but node2 forwarded " + (long) forwarded + " (each relayed message is handed to the kernel once); series: "
                            + after.get(n).samples(SINK_SENT));
                }
            }
        });
        report.add(line.toString());
        return (long) forwarded;
    }

    static boolean isPeer(String label, InetAddress peer) {
        if (label == null || !(label.contains(":") || label.matches("[0-9.]+"))) {
            return false; // only IP literals: never a DNS lookup
        }
        try {
            return InetAddress.getByName(label).equals(peer);
        } catch (Exception e) {
            return false;
        }
    }

    /** Every daemon's /metrics, by node. */
    static Map<Integer, PromText> metrics(List<PmtudDaemon> daemons) throws Exception {
        Map<Integer, PromText> out = new LinkedHashMap<>();
        for (PmtudDaemon d : daemons) {
            out.put(d.node(), d.metrics());
        }
        return out;
    }

    /** Each node's pmtud counters, by node and name. */
    static Map<String, Double> counters(List<PmtudDaemon> daemons) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        for (PmtudDaemon d : daemons) {
            PromText m = d.metrics();
            for (String name : List.of(RECEIVED, FORWARDED, SINK_SENT, PEER_SENT)) {
                out.put("node" + d.node() + " " + name, m.sum(name));
            }
        }
        return out;
    }

    /** Awaits a {@link #STABLE_WINDOW} in which no node's counters move: no message circulates. */
    static Map<String, Double> awaitStable(List<PmtudDaemon> daemons, List<String> problems) throws Exception {
        long deadline = System.nanoTime() + STABLE_LIMIT.toNanos();
        Map<String, Double> last = counters(daemons);
        long since = System.nanoTime();
        while (System.nanoTime() - since < STABLE_WINDOW.toNanos()) {
            if (System.nanoTime() > deadline) {
                problems.add("counters still moving after " + STABLE_LIMIT.toSeconds() + " s (a message circulates?): " + last);
                return last;
            }
            Thread.sleep(100); // poll interval of an awaited condition
            Map<String, Double> now = counters(daemons);
            if (!now.equals(last)) {
                last = now;
                since = System.nanoTime();
            }
        }
        return last;
    }
}
