package dev.pmtud.it;

import dev.pmtud.it.ClusterLab.Owner;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.PromText;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * "With pmtud it is fixed", on any {@link ClusterLab} with any {@link PmtudSetup}: pmtud on every
 * node, the transfers (host, and the pod where the setup reaches pods) in both families, and every
 * check. Shared by the tests and the demo.
 */
public final class PmtudRun {
    static final Duration STOP_LIMIT = Duration.ofSeconds(10);

    private PmtudRun() {
    }

    /** What one run measured and what was wrong with it. */
    public record Outcome(List<String> problems, List<String> report, Map<Owner, Map<Family, Long>> transferMillis,
                          Map<Family, List<Long>> relayDelaysNanos, Map<Family, Integer> messages) {
    }

    /** The owners a setup must fix: the host always, the pod when the setup reaches pods. */
    public static List<Owner> owners(PmtudSetup setup) {
        return setup.reachesPods() ? List.of(Owner.HOST, Owner.POD) : List.of(Owner.HOST);
    }

    /** How a daemon is started on a node: {@code bin/pmtud} in its namespace ({@link PmtudDaemon#start}), or the image. */
    @FunctionalInterface
    public interface Starter {
        PmtudDaemon start(Netns ns, int node, String yaml, Path dir) throws IOException;
    }

    /** pmtud on the given nodes (1-based) of {@code lab}, each ready (sources open) before this returns. */
    public static List<PmtudDaemon> startDaemons(ClusterLab lab, PmtudSetup setup, List<Integer> nodes, Path dir, Duration readyLimit)
            throws Exception {
        // bin/pmtud in the node's namespace, with what the setup adds to the command line and the environment
        return startDaemons(lab, setup, nodes, dir, readyLimit, (ns, n, yaml, d) -> PmtudDaemon.start(ns, n, yaml, d,
                file -> PmtudDaemon.launcher(setup.environment(lab.plan, n), setup.arguments(lab.plan, n, file).toArray(String[]::new))));
    }

    static List<PmtudDaemon> startDaemons(ClusterLab lab, PmtudSetup setup, List<Integer> nodes, Path dir, Duration readyLimit,
                                          Starter starter) throws Exception {
        List<PmtudDaemon> daemons = new ArrayList<>();
        try {
            for (int n : nodes) {
                daemons.add(starter.start(lab.node(n), n, setup.config(lab.plan, n, dir), dir));
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

    public static List<Integer> allNodes() {
        List<Integer> all = new ArrayList<>();
        for (int n = 1; n <= ClusterLab.NODES; n++) {
            all.add(n);
        }
        return all;
    }

    /**
     * pmtud with {@code setup} on every node of {@code lab} (whose route caches hold no learned PMTU),
     * a transfer per owner and family, every check collected; pmtud is stopped (SIGTERM) before returning.
     */
    public static Outcome run(ClusterLab lab, PmtudSetup setup, Path dir, Duration transferLimit, Duration readyLimit) throws Exception {
        return run(lab, setup, dir, transferLimit, readyLimit, PmtudDaemon::start);
    }

    /** The same, with the daemons started by {@code starter} (the container image: {@link ImageE2eTest}). */
    public static Outcome run(ClusterLab lab, PmtudSetup setup, Path dir, Duration transferLimit, Duration readyLimit, Starter starter)
            throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> report = new ArrayList<>();
        Map<Owner, Map<Family, Long>> millis = new EnumMap<>(Owner.class);
        Map<Family, Long> forwarded = new EnumMap<>(Family.class);
        List<IcmpCapture> uplink = new ArrayList<>();
        List<IcmpCapture> replicaCaptures = new ArrayList<>();
        boolean replicasOnUplink = setup.replicaInterface().equals(ClusterLab.UPLINK);
        List<PmtudDaemon> daemons = List.of();
        try {
            for (int n = 1; n <= ClusterLab.NODES; n++) {
                uplink.add(new IcmpCapture(lab.node(n), ClusterLab.UPLINK, dir, "node" + n));
                for (List<String> rule : setup.externalRules(lab.plan)) {
                    lab.node(n).exec(rule.toArray(String[]::new));
                }
            }
            long started = System.nanoTime();
            daemons = startDaemons(lab, setup, allNodes(), dir, readyLimit, starter);
            report.add("pmtud ready on every node after " + (System.nanoTime() - started) / 1_000_000 + " ms");
            started = System.nanoTime();
            for (int n = 1; n <= ClusterLab.NODES; n++) {
                setup.checkRunning(lab, n, problems);
                // a device pmtud creates (the relay's TUN) can only be captured on once it is there
                replicaCaptures.add(replicasOnUplink ? uplink.get(n - 1)
                        : new IcmpCapture(lab.node(n), setup.replicaInterface(), dir, "node" + n + "-" + setup.replicaInterface()));
            }
            Map<String, Double> settled = Map.of();
            for (Owner owner : owners(setup)) {
                for (Family f : Family.values()) {
                    // each transfer proves its own delivery: nothing learned before (IPv6 forwarding would
                    // answer the pod with the node's own learned PMTU, from the host transfer)
                    lab.flushRouteCaches();
                    String fresh = lab.ownerRoute(owner, f);
                    if (ClusterLab.mtuOf(fresh) != -1) {
                        problems.add(f + " " + owner.text + ": the owner still knows a PMTU after the route caches were flushed: " + fresh);
                    }
                    Map<Integer, PromText> before = CounterChecks.metrics(daemons);
                    Transfers.Transfer t = Transfers.run(lab, owner, f, transferLimit);
                    String label = t.label();
                    report.add(label + " with pmtud: " + t.bulk() + "; owner: " + t.ownerRoute());
                    if (!t.control().complete()) {
                        problems.add(label + ": the small control transfer failed (the lab is broken, not pmtud): " + t.control());
                    }
                    if (t.bulk().complete()) {
                        millis.computeIfAbsent(owner, o -> new EnumMap<>(Family.class)).put(f, t.bulk().millis());
                    } else {
                        problems.add(label + ": with pmtud the 2 MB transfer should complete, got " + t.bulk());
                    }
                    if (ClusterLab.mtuOf(t.ownerRoute()) != ClusterLab.BOTTLENECK_MTU) {
                        problems.add(label + ": the owner (" + (owner == Owner.HOST ? "node" + ClusterLab.OWNER : "the pod")
                                + ") should have learned mtu " + ClusterLab.BOTTLENECK_MTU + ": " + t.ownerRoute());
                    }
                    // no message circulates: every node's counters stay put once the transfer is over
                    settled = CounterChecks.awaitStable(daemons, problems);
                    long fw = CounterChecks.checkTransfer(label, lab, setup, f, before, CounterChecks.metrics(daemons), problems, report);
                    forwarded.merge(f, fw, Long::sum);
                }
            }
            report.add("counters after every transfer: " + settled);
            setup.checkAfterTransfers(lab, daemons, problems);
            report.add("transfers and settling took " + (System.nanoTime() - started) / 1_000_000 + " ms");
        } finally {
            for (IcmpCapture c : uplink) {
                c.close();
            }
            for (IcmpCapture c : replicaCaptures) {
                c.close();
            }
            long stopping = System.nanoTime();
            stopAll(daemons, problems, report);
            report.add("pmtud stopped on every node after " + (System.nanoTime() - stopping) / 1_000_000 + " ms");
        }
        for (int n = 1; n <= ClusterLab.NODES; n++) {
            setup.checkStopped(lab, n, problems);
        }
        List<List<IcmpCapture.Message>> replicas = new ArrayList<>();
        for (IcmpCapture c : replicaCaptures) {
            replicas.add(c.read());
        }
        ReplicationCheck replication = new ReplicationCheck(setup, uplink.get(ClusterLab.ICMP_TARGET - 1).read(), replicas, replicasOnUplink);
        Map<Family, List<Long>> delays = new EnumMap<>(Family.class);
        Map<Family, Integer> counts = new EnumMap<>(Family.class);
        for (Family f : Family.values()) {
            ReplicationCheck.Measured m = replication.check(f, forwarded.getOrDefault(f, 0L), problems, report);
            delays.put(f, m.relayDelaysNanos());
            counts.put(f, m.messages());
        }
        return new Outcome(problems, report, millis, delays, counts);
    }

    /** SIGTERM to every daemon; each must exit 0 (it stops its sources, flushes its sinks, removes what it created). */
    static void stopAll(List<PmtudDaemon> daemons, List<String> problems, List<String> report) throws InterruptedException {
        for (PmtudDaemon d : daemons) {
            if (!d.alive()) {
                problems.add("pmtud on node" + d.node() + " died during the run; log:\n" + d.logText());
                continue;
            }
            int code = d.stop(STOP_LIMIT);
            if (code != 0) {
                problems.add("pmtud on node" + d.node() + " should exit 0 after SIGTERM, got " + code + "; log:\n" + tail(d.logText(), 20));
            } else if (!problems.isEmpty()) {
                report.add("log of pmtud on node" + d.node() + " (last lines):\n" + tail(d.logText(), 20));
            }
        }
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }
}
