package dev.pmtud.it;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * From the captures: node 2 got the router's messages; every other node got each message node 2
 * forwarded exactly once and nothing else (no loop, no duplicate); node 2 got nothing back. The
 * relay delay is node 1's arrival time minus node 2's for the same message.
 *
 * @param originalsAt2 everything node 2's uplink capture holds (the router's messages among it)
 * @param replicas     per node (index n - 1), what its capture on the setup's replica interface holds
 * @param replicasOnUplink whether {@code replicas} are the uplink captures (node 2's then holds the originals too)
 */
record ReplicationCheck(PmtudSetup setup, List<IcmpCapture.Message> originalsAt2, List<List<IcmpCapture.Message>> replicas,
                        boolean replicasOnUplink) {

    /** What one family's check measured. */
    record Measured(int messages, List<Long> relayDelaysNanos) {
    }

    /**
     * @param forwarded node 2's forwarded count for this family's transfers: with a setup that does not
     *                  forward every message (dedup, rate limit), what each node must have received
     */
    Measured check(Family f, long forwarded, List<String> problems, List<String> report) {
        InetAddress router = ClusterLab.addr(f.routerIcmpSource());
        List<IcmpCapture.Message> originals = originalsAt2.stream()
                .filter(m -> m.family() == f && m.outerSource().equals(router) && !m.linkBroadcast()).toList();
        if (originals.isEmpty()) {
            problems.add(f + ": node2 captured no ICMP error from the router");
            return new Measured(0, List.of());
        }
        for (IcmpCapture.Message m : originals) {
            if (m.mtu() != ClusterLab.BOTTLENECK_MTU) {
                problems.add(f + ": the router's message says mtu " + m.mtu() + ", expected " + ClusterLab.BOTTLENECK_MTU);
            }
        }
        List<IcmpCapture.Message> back = replicasAt(ClusterLab.ICMP_TARGET, f).stream()
                .filter(m -> !(replicasOnUplink && originals.contains(m))).toList();
        if (!back.isEmpty()) {
            problems.add(f + ": node2 received " + back.size() + " copies of messages back (a loop): " + back);
        }
        Map<String, Long> sent = histogram(originals);
        for (int n = 1; n <= ClusterLab.NODES; n++) {
            if (n == ClusterLab.ICMP_TARGET) {
                continue;
            }
            List<IcmpCapture.Message> atN = replicasAt(n, f);
            Map<String, Long> got = histogram(atN);
            if (setup.forwardsEveryMessage()) {
                if (!got.equals(sent)) {
                    problems.add(f + ": node" + n + " should receive each of node2's " + originals.size() + " message(s) exactly once on "
                            + setup.replicaInterface() + "; got " + atN.size() + " (" + diff(sent, got) + ")");
                }
            } else {
                Map<String, Long> extra = new TreeMap<>();
                got.forEach((k, v) -> {
                    if (v > sent.getOrDefault(k, 0L)) {
                        extra.put(k, v - sent.getOrDefault(k, 0L));
                    }
                });
                if (!extra.isEmpty()) {
                    problems.add(f + ": node" + n + " received messages node2 never got from the router, or more copies than it got ("
                            + diff(sent, got) + ")");
                }
                if (atN.size() != forwarded) {
                    problems.add(f + ": node" + n + " should receive each of the " + forwarded + " message(s) node2 forwarded exactly once on "
                            + setup.replicaInterface() + "; got " + atN.size());
                }
            }
        }
        List<Long> delays = relayDelays(f, originals);
        if (!delays.isEmpty()) {
            report.add(f + " relay delay node2 -> node1 over " + delays.size() + " message(s): min " + micros(delays.get(0)) + ", median "
                    + micros(delays.get(delays.size() / 2)) + ", max " + micros(delays.get(delays.size() - 1)));
        }
        return new Measured(originals.size(), delays);
    }

    private List<IcmpCapture.Message> replicasAt(int n, Family f) {
        return replicas.get(n - 1).stream().filter(m -> m.family() == f).toList();
    }

    /** The k-th arrival of a message at node 2 -> its k-th arrival at node 1, sorted. */
    private List<Long> relayDelays(Family f, List<IcmpCapture.Message> originals) {
        Map<String, List<Long>> arrivals1 = new HashMap<>();
        for (IcmpCapture.Message m : replicasAt(ClusterLab.OWNER, f)) {
            arrivals1.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.timestampNanos());
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
        return d;
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
                out.add("message " + abbreviate(e.getKey()) + ": node2 got " + e.getValue() + ", this node " + g);
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
}
