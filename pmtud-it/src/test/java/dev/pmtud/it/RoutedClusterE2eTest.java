package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.it.ClusterLab.Owner;
import dev.pmtud.it.RawSetup.Mode;
import dev.pmtud.it.RawSetup.SourceKind;
import dev.pmtud.testkit.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routed cluster ({@link RoutedLab}: no shared L2, every node on its own subnet, strict
 * {@code rp_filter}), a server on node 1 and one in its pod behind DNAT. One lab for the whole class:
 * every case starts by forgetting the learned PMTUs and checking that none is left.
 * <ol>
 *   <li>Without pmtud every transfer stalls (v4, v6, host, pod).</li>
 *   <li>The negative issue 10 measured: {@code raw} mode {@code l3} fixes the host but not the pod.</li>
 *   <li>The relay of issue 10 fixes all four.</li>
 *   <li>So does pmtud started with today's go-pmtud flags (issue 13), which build that relay unsigned.</li>
 * </ol>
 */
@Tag("netns")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutedClusterE2eTest {
    static final Duration TRANSFER_LIMIT = EcmpPmtudE2eTest.TRANSFER_LIMIT;
    static final Duration READY_LIMIT = EcmpPmtudE2eTest.READY_LIMIT;
    static final String WHY_L3_MISSES_PODS = "an l3 replica is addressed to node1, not to the VIP, so conntrack never relates it to "
            + "the connection (nf_conntrack_inet_error() in net/netfilter/nf_conntrack_proto_icmp.c: \"outer daddr != inner\") and "
            + "kube-proxy's DNAT never translates it to the pod: node1's own ICMP layer consumes it";

    private RoutedLab lab;

    @BeforeAll
    void buildLab() {
        Netns.assumeRoot();
        lab = RoutedLab.create();
    }

    @AfterAll
    void removeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    /** A fresh start for the next case: nothing learned on node 1 or in its pod. */
    private void forgetLearnedMtus() {
        lab.flushRouteCaches();
        for (Owner o : Owner.values()) {
            for (Family f : Family.values()) {
                String route = lab.ownerRoute(o, f);
                assertEquals(-1, ClusterLab.mtuOf(route), "after flushing the route caches the " + o.text + " should know no PMTU: " + route);
            }
        }
    }

    @Test
    @Order(1)
    void withoutPmtudHostAndPodTransfersStall() throws Exception {
        forgetLearnedMtus();
        List<String> report = new ArrayList<>();
        List<String> problems = BlackHoleChecks.verify(lab, List.of(Owner.HOST, Owner.POD), report);
        report.forEach(line -> System.out.println("[e2e] " + line));
        assertTrue(problems.isEmpty(), "routed lab without pmtud:\n  " + String.join("\n  ", problems)
                + "\nreport:\n  " + String.join("\n  ", report));
    }

    /**
     * Issue 10's measurement, kept as a test so that nobody "fixes" the docs by accident: with
     * {@code raw} mode {@code l3} the replica reaches node 1 (its kernel counts it) and fixes the
     * host socket, but the pod behind DNAT never hears of it. Only node 2 runs pmtud: receiving an l3
     * replica is the kernel's business alone.
     */
    @Test
    @Order(2)
    void l3FixesTheHostButNeverThePodBehindDnat(@TempDir Path dir) throws Exception {
        forgetLearnedMtus();
        PmtudSetup l3 = new RawSetup(SourceKind.NFLOG, Mode.L3);
        List<String> problems = new ArrayList<>();
        List<PmtudDaemon> daemons = PmtudRun.startDaemons(lab, l3, List.of(ClusterLab.ICMP_TARGET), dir, READY_LIMIT);
        try {
            // the pod first: once node 1 has learned the PMTU towards the client itself, its IPv6
            // forwarding answers the pod's oversized packets with a packet-too-big of its own
            Map<Family, Long> atOwner = new EnumMap<>(Family.class);
            for (Family f : Family.values()) {
                atOwner.put(f, lab.icmpErrorsReceived(ClusterLab.OWNER, f));
            }
            for (Transfers.Transfer t : Transfers.runAtOnce(lab, Transfers.all(List.of(Owner.POD)), ClusterLab.STALL_LIMIT)) {
                System.out.println("[e2e] routed l3 " + t.label() + ": " + t.bulk() + "; pod: " + t.ownerRoute());
                if (!t.control().complete()) {
                    problems.add(t.label() + ": the control transfer should complete (the lab is broken, not pmtud): " + t.control());
                }
                if (t.bulk().complete() || ClusterLab.mtuOf(t.ownerRoute()) != -1) {
                    problems.add(t.label() + ": l3 should NOT reach the pod behind DNAT (" + WHY_L3_MISSES_PODS + "), yet the transfer "
                            + t.bulk() + " and the pod's route is " + t.ownerRoute() + ". If the kernel changed, measure again before "
                            + "changing docs/e2e.md and the docs' which-mode table");
                }
            }
            for (Family f : Family.values()) {
                // node 1 itself must not have learned anything either: its IPv6 forwarding would answer the pod
                String node1 = lab.routeToClient(ClusterLab.OWNER, f);
                if (ClusterLab.mtuOf(node1) != -1) {
                    problems.add(f + ": no host connection ran yet, so node1 should know no PMTU towards the client: " + node1);
                }
                long consumed = lab.icmpErrorsReceived(ClusterLab.OWNER, f) - atOwner.get(f);
                System.out.println("[e2e] routed l3 " + f + " pod: node1's kernel consumed " + consumed + " replica(s)");
                if (consumed < 1) {
                    problems.add(f + " pod: node1's kernel should have received (and consumed) the l3 replicas of the pod's errors, "
                            + "got none: then the pod stalled for another reason than the one this test records");
                }
            }
            for (Family f : Family.values()) {
                Transfers.Transfer t = Transfers.run(lab, Owner.HOST, f, TRANSFER_LIMIT);
                System.out.println("[e2e] routed l3 " + t.label() + ": " + t.bulk() + "; node1: " + t.ownerRoute());
                if (!t.bulk().complete() || ClusterLab.mtuOf(t.ownerRoute()) != ClusterLab.BOTTLENECK_MTU) {
                    problems.add(t.label() + ": l3 should fix a host socket (transfer complete, node1 learns mtu "
                            + ClusterLab.BOTTLENECK_MTU + "), got " + t.bulk() + "; node1: " + t.ownerRoute());
                }
            }
        } finally {
            PmtudRun.stopAll(daemons, problems, new ArrayList<>());
        }
        l3.checkStopped(lab, ClusterLab.ICMP_TARGET, problems);
        assertTrue(problems.isEmpty(), "routed lab, raw l3:\n  " + String.join("\n  ", problems) + "\nlog of node2:\n"
                + PmtudRun.tail(daemons.get(0).logText(), 20));
    }

    /**
     * Issue 13: pmtud started with today's go-pmtud flags ({@code --relay-backend=udp}, {@code --peers}
     * for the lab) on every node: v4 and v6, host and pod behind DNAT, all fixed; go-pmtud's health
     * port answers and every go-pmtud metric is there with its labels ({@link GoPmtudFlagsSetup}).
     */
    @Test
    @Order(4)
    void goPmtudsFlagsFixHostAndPod(@TempDir Path dir) throws Exception {
        forgetLearnedMtus();
        PmtudSetup flags = GoPmtudFlagsSetup.UDP;
        PmtudRun.Outcome o = PmtudRun.run(lab, flags, dir, TRANSFER_LIMIT, READY_LIMIT);
        for (String line : o.report()) {
            System.out.println("[e2e] routed " + flags.name() + ": " + line);
        }
        E2eSummary.append("routed", flags.name(), o);
        assertTrue(o.problems().isEmpty(), "routed lab, " + flags.name() + ":\n  " + String.join("\n  ", o.problems())
                + "\nreport:\n  " + String.join("\n  ", o.report()));
    }

    /** Issue 10's relay on every node: v4 and v6, host and pod, all fixed; the owner learns the MTU. */
    @Test
    @Order(3)
    void relayFixesHostAndPod(@TempDir Path dir) throws Exception {
        forgetLearnedMtus();
        PmtudRun.Outcome o = PmtudRun.run(lab, RelaySetup.RELAY, dir, TRANSFER_LIMIT, READY_LIMIT);
        for (String line : o.report()) {
            System.out.println("[e2e] routed " + RelaySetup.RELAY.name() + ": " + line);
        }
        E2eSummary.append("routed", RelaySetup.RELAY.name(), o);
        assertTrue(o.problems().isEmpty(), "routed lab, " + RelaySetup.RELAY.name() + ":\n  " + String.join("\n  ", o.problems())
                + "\nreport:\n  " + String.join("\n  ", o.report()));
    }
}
