package dev.pmtud.it;

import dev.pmtud.it.EcmpLab.Family;
import dev.pmtud.it.PmtudDaemon.Mode;
import dev.pmtud.it.PmtudDaemon.SourceKind;
import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.PromText;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The steps of the end-to-end scenario on an {@link EcmpLab}, shared by the tests and the demo:
 * the transfer without pmtud, pmtud started on every node, the transfer with it, and the checks.
 */
public final class EcmpScenario {
    static final String RECEIVED = "pmtud_received_total";
    static final String FORWARDED = "pmtud_forwarded_total";
    static final String SINK_SENT = "pmtud_sink_sent_total";
    static final String PEER_SENT = "pmtud_peer_sent_total";
    static final String PEER_ERRORS = "pmtud_peer_send_errors_total";
    static final Duration STABLE_WINDOW = Duration.ofMillis(1500);
    static final Duration STABLE_LIMIT = Duration.ofSeconds(10);

    private EcmpScenario() {
    }

    /** The transfer from the client, its control, and node 1's route to the client afterwards. */
    public record Transfer(Family family, BulkTransfer.Result control, BulkTransfer.Result bulk, String ownerRoute) {
    }

    /** Serves the 2 MB (and the small control) on node 1 and fetches both from the client. */
    @SuppressWarnings("try") // the servers only need to be open while the client fetches
    public static Transfer transfer(EcmpLab lab, Family f, Duration limit) throws Exception {
        try (var bulk = new BulkTransfer.Server(lab.node(EcmpLab.OWNER), f.vip(), EcmpLab.BULK_PORT, BulkTransfer.BULK_SIZE);
             var small = new BulkTransfer.Server(lab.node(EcmpLab.OWNER), f.vip(), EcmpLab.SMALL_PORT, EcmpLab.SMALL_SIZE)) {
            BulkTransfer.Result control = BulkTransfer.fetch(lab.client, f.vip(), EcmpLab.SMALL_PORT, EcmpLab.SMALL_SIZE,
                    Duration.ofSeconds(5));
            BulkTransfer.Result r = BulkTransfer.fetch(lab.client, f.vip(), EcmpLab.BULK_PORT, BulkTransfer.BULK_SIZE, limit);
            return new Transfer(f, control, r, lab.routeToClient(EcmpLab.OWNER, f));
        }
    }

    /** pmtud on every node, each ready (sources open) before this returns. */
    public static List<PmtudDaemon> startDaemons(EcmpLab lab, SourceKind source, Mode mode, Path dir, Duration readyLimit)
            throws Exception {
        List<PmtudDaemon> daemons = new ArrayList<>();
        try {
            for (int n = 1; n <= EcmpLab.NODES; n++) {
                daemons.add(PmtudDaemon.start(lab.node(n), n, PmtudDaemon.config(n, source, mode), dir));
            }
            for (PmtudDaemon d : daemons) {
                d.awaitReady(readyLimit);
            }
            return daemons;
        } catch (Exception | Error e) {
            for (PmtudDaemon d : daemons) {
                d.close();
            }
            throw e;
        }
    }

    /** What one variant measured and what was wrong with it. */
    public record Outcome(List<String> problems, List<String> report, Map<Family, Long> transferMillis,
                          Map<Family, List<Long>> relayDelaysNanos, Map<Family, Integer> messages) {
    }

    /** A fresh lab, pmtud on every node, the transfer for both families, every check. */
    public static Outcome runWithPmtud(SourceKind source, Mode mode, Path dir, Duration transferLimit, Duration readyLimit)
            throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> report = new ArrayList<>();
        Map<Family, Long> millis = new EnumMap<>(Family.class);
        Map<Family, List<Long>> delays = new EnumMap<>(Family.class);
        Map<Family, Integer> counts = new EnumMap<>(Family.class);
        try (EcmpLab lab = EcmpLab.create()) {
            List<IcmpCapture> captures = new ArrayList<>();
            List<PmtudDaemon> daemons = List.of();
            try {
                for (int n = 1; n <= EcmpLab.NODES; n++) {
                    captures.add(new IcmpCapture(lab.node(n), "eth0", dir, "node" + n));
                }
                if (source == SourceKind.NFLOG_EXTERNAL_RULE) {
                    for (int n = 1; n <= EcmpLab.NODES; n++) {
                        for (List<String> rule : PmtudDaemon.externalRules()) {
                            lab.node(n).exec(rule.toArray(String[]::new));
                        }
                    }
                }
                daemons = startDaemons(lab, source, mode, dir, readyLimit);
                if (source == SourceKind.NFLOG) {
                    for (int n = 1; n <= EcmpLab.NODES; n++) {
                        checkRule(lab, n, true, problems);
                    }
                }
                PmtudDaemon node2 = daemons.get(EcmpLab.ICMP_TARGET - 1);
                Map<String, Double> settled = Map.of();
                for (Family f : Family.values()) {
                    PromText before = node2.metrics();
                    Transfer t = transfer(lab, f, transferLimit);
                    report.add(f + " with pmtud: " + t.bulk() + "; node1: " + t.ownerRoute());
                    if (!t.control().complete()) {
                        problems.add(f + ": the small control transfer failed (the lab is broken, not pmtud): " + t.control());
                    }
                    if (t.bulk().complete()) {
                        millis.put(f, t.bulk().millis());
                    } else {
                        problems.add(f + ": with pmtud the 2 MB transfer should complete, got " + t.bulk());
                    }
                    if (EcmpLab.mtuOf(t.ownerRoute()) != EcmpLab.BOTTLENECK_MTU) {
                        problems.add(f + ": node1 should have learned mtu " + EcmpLab.BOTTLENECK_MTU + ": " + t.ownerRoute());
                    }
                    // no message circulates: every node's counters stay put once the transfer is over
                    settled = awaitStable(daemons, problems);
                    PromText after = node2.metrics();
                    checkNode2Counters(f, mode, before, after, problems, report);
                }
                report.add("counters after both transfers: " + settled);
            } finally {
                for (IcmpCapture c : captures) {
                    c.close();
                }
                for (PmtudDaemon d : daemons) {
                    if (!d.alive()) {
                        problems.add("pmtud on node" + d.node() + " died during the run; log:\n" + d.logText());
                    } else if (!problems.isEmpty()) {
                        report.add("log of pmtud on node" + d.node() + " (last lines):\n" + tail(d.logText(), 20));
                    }
                    d.close();
                }
            }
            if (source == SourceKind.NFLOG) {
                for (int n = 1; n <= EcmpLab.NODES; n++) {
                    checkRule(lab, n, false, problems);
                }
            }
            List<List<IcmpCapture.Message>> seen = new ArrayList<>();
            for (IcmpCapture c : captures) {
                seen.add(c.read());
            }
            for (Family f : Family.values()) {
                checkReplication(f, seen, problems, report, delays, counts);
            }
        }
        return new Outcome(problems, report, millis, delays, counts);
    }

    /**
     * pmtud manages its NFLOG rule: present (both families) while it runs, gone after it stopped;
     * as its nftables table ({@code rules.backend} auto, where the kernel has nf_tables) or as
     * iptables rules.
     */
    static void checkRule(EcmpLab lab, int n, boolean present, List<String> problems) {
        Cmd.Result table = lab.node(n).execAllowingFailure("nft", "list", "table", "inet", "pmtud");
        String nft = table.exitCode() == 0 ? table.stdout() : "";
        String group = "log group " + PmtudDaemon.NFLOG_GROUP;
        for (String tool : List.of("iptables", "ip6tables")) {
            String rules = lab.node(n).exec(tool, "-t", "raw", "-S", "PREROUTING").stdout();
            String match = tool.equals("iptables") ? "icmp type destination-unreachable" : "icmpv6 type packet-too-big";
            boolean inNft = nft.lines().anyMatch(l -> l.contains(match) && l.contains(group));
            boolean has = inNft || rules.contains("NFLOG") && rules.contains("--nflog-group " + PmtudDaemon.NFLOG_GROUP);
            if (has != present) {
                problems.add("node" + n + ": the " + (tool.equals("iptables") ? "IPv4" : "IPv6") + " NFLOG rule (group " + PmtudDaemon.NFLOG_GROUP
                        + ") should " + (present ? "" : "no longer ") + "be in table inet pmtud or " + tool + " raw PREROUTING "
                        + (present ? "while pmtud runs" : "after pmtud stopped") + "; they hold:\n" + nft.strip() + "\n" + rules.strip());
            }
        }
    }

    /** The pipeline of the rig's single-pipeline configuration: every per-pipeline series carries it. */
    static final String PIPELINE = "main";

    private static boolean inPipeline(Map<String, String> labels) {
        return PIPELINE.equals(labels.get("pipeline"));
    }

    /** Node 2 received the message(s) and sent each to both other nodes (read from pipeline main's series). */
    static void checkNode2Counters(Family f, Mode mode, PromText before, PromText after, List<String> problems, List<String> report) {
        double received = after.sum(RECEIVED, EcmpScenario::inPipeline) - before.sum(RECEIVED, EcmpScenario::inPipeline);
        double forwarded = after.sum(FORWARDED, EcmpScenario::inPipeline) - before.sum(FORWARDED, EcmpScenario::inPipeline);
        double sinkSent = after.sum(SINK_SENT, EcmpScenario::inPipeline) - before.sum(SINK_SENT, EcmpScenario::inPipeline);
        StringBuilder line = new StringBuilder(f + " node2 counters: received +" + (long) received + ", forwarded +" + (long) forwarded
                + ", sink sent +" + (long) sinkSent);
        if (received < 1) {
            problems.add(f + ": node2's " + RECEIVED + "{pipeline=\"" + PIPELINE + "\"} did not grow (" + before.sum(RECEIVED) + " -> "
                    + after.sum(RECEIVED) + "); series: " + after.samples(RECEIVED));
        }
        if (forwarded < 1) {
            problems.add(f + ": node2's " + FORWARDED + "{pipeline=\"" + PIPELINE + "\"} did not grow (" + before.sum(FORWARDED) + " -> "
                    + after.sum(FORWARDED) + "); series: " + after.samples(FORWARDED));
        }
        if (mode != Mode.L2_BROADCAST) {
            // the peers a message of this family is addressed to: the other two nodes
            Family peerFamily = mode == Mode.L3 ? f : Family.V4;
            for (int p = 1; p <= EcmpLab.NODES; p++) {
                if (p == EcmpLab.ICMP_TARGET) {
                    continue;
                }
                InetAddress peer = EcmpLab.addr(EcmpLab.nodeAddress(peerFamily, p));
                java.util.function.Predicate<Map<String, String>> toPeer = l -> inPipeline(l) && isPeer(l.get("peer"), peer);
                double sent = after.sum(PEER_SENT, toPeer) - before.sum(PEER_SENT, toPeer);
                double errors = after.sum(PEER_ERRORS, toPeer) - before.sum(PEER_ERRORS, toPeer);
                line.append(", peer ").append(peer.getHostAddress()).append(" +").append((long) sent);
                if (!after.samples(PEER_SENT).stream().anyMatch(s -> toPeer.test(s.labels()))) {
                    problems.add(f + ": node2 has no " + PEER_SENT + " series for peer " + peer.getHostAddress() + "; series: "
                            + after.samples(PEER_SENT));
                } else if (sent != forwarded) {
                    problems.add(f + ": node2 sent " + (long) sent + " to peer " + peer.getHostAddress() + " but forwarded " + (long) forwarded
                            + " (each forwarded message goes to each peer once)");
                }
                if (errors != 0) {
                    problems.add(f + ": node2 counted " + (long) errors + " send errors to peer " + peer.getHostAddress() + ": "
                            + after.samples(PEER_ERRORS));
                }
            }
        }
        report.add(line.toString());
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

    /**
     * From the captures: node 2 got the router's messages; nodes 1 and 3 each got every one of
     * them exactly once and nothing else (no loop, no duplicate); node 2 got nothing back. The
     * relay delay is node 1's arrival time minus node 2's for the same message.
     */
    static void checkReplication(Family f, List<List<IcmpCapture.Message>> seen, List<String> problems, List<String> report,
                                 Map<Family, List<Long>> delays, Map<Family, Integer> counts) {
        InetAddress router = EcmpLab.addr(f.routerIcmpSource());
        List<IcmpCapture.Message> at2 = seen.get(EcmpLab.ICMP_TARGET - 1).stream().filter(m -> m.family() == f).toList();
        List<IcmpCapture.Message> originals = at2.stream().filter(m -> m.outerSource().equals(router) && !m.linkBroadcast()).toList();
        counts.put(f, originals.size());
        if (originals.isEmpty()) {
            problems.add(f + ": node2 captured no ICMP error from the router");
            return;
        }
        for (IcmpCapture.Message m : originals) {
            if (m.mtu() != EcmpLab.BOTTLENECK_MTU) {
                problems.add(f + ": the router's message says mtu " + m.mtu() + ", expected " + EcmpLab.BOTTLENECK_MTU);
            }
        }
        if (at2.size() != originals.size()) {
            problems.add(f + ": node2 received " + (at2.size() - originals.size()) + " copies of messages back (a loop): " + at2);
        }
        Map<String, Long> expected = histogram(originals);
        for (int n = 1; n <= EcmpLab.NODES; n++) {
            if (n == EcmpLab.ICMP_TARGET) {
                continue;
            }
            List<IcmpCapture.Message> atN = seen.get(n - 1).stream().filter(m -> m.family() == f).toList();
            Map<String, Long> got = histogram(atN);
            if (!got.equals(expected)) {
                problems.add(f + ": node" + n + " should receive each of node2's " + originals.size() + " message(s) exactly once; got "
                        + atN.size() + " (" + diff(expected, got) + ")");
            }
        }
        // relay delay: the k-th arrival of a message at node 2 -> its k-th arrival at node 1
        Map<String, List<Long>> arrivals1 = new HashMap<>();
        for (IcmpCapture.Message m : seen.get(EcmpLab.OWNER - 1)) {
            if (m.family() == f) {
                arrivals1.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.timestampNanos());
            }
        }
        Map<String, Integer> used = new HashMap<>();
        List<Long> d = new ArrayList<>();
        for (IcmpCapture.Message m : originals) {
            List<Long> at1 = arrivals1.getOrDefault(m.key(), List.of());
            int k = used.merge(m.key(), 1, Integer::sum) - 1;
            if (k < at1.size()) {
                d.add(at1.get(k) - m.timestampNanos());
            }
        }
        d.sort(null);
        delays.put(f, d);
        if (!d.isEmpty()) {
            report.add(f + " relay delay node2 -> node1 over " + d.size() + " message(s): min " + micros(d.get(0)) + ", median "
                    + micros(d.get(d.size() / 2)) + ", max " + micros(d.get(d.size() - 1)));
        }
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }

    static String micros(long nanos) {
        return String.format("%.1f µs", nanos / 1000.0);
    }

    private static Map<String, Long> histogram(List<IcmpCapture.Message> ms) {
        Map<String, Long> h = new TreeMap<>();
        for (IcmpCapture.Message m : ms) {
            h.merge(m.key(), 1L, Long::sum);
        }
        return h;
    }

    private static String diff(Map<String, Long> expected, Map<String, Long> got) {
        List<String> out = new ArrayList<>();
        for (var e : expected.entrySet()) {
            long g = got.getOrDefault(e.getKey(), 0L);
            if (g != e.getValue()) {
                out.add("message " + abbreviate(e.getKey()) + ": expected " + e.getValue() + ", got " + g);
            }
        }
        for (var e : got.entrySet()) {
            if (!expected.containsKey(e.getKey())) {
                out.add("unexpected message " + abbreviate(e.getKey()) + " x" + e.getValue());
            }
        }
        return String.join("; ", out);
    }

    private static String abbreviate(String key) {
        return key.length() > 60 ? key.substring(0, 60) + "…" : key;
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

    /** Awaits a {@link #STABLE_WINDOW} in which no node's counters move. */
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
