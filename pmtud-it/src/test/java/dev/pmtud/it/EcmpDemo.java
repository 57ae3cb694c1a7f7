package dev.pmtud.it;

import dev.pmtud.it.ClusterLab.Owner;
import dev.pmtud.it.RawSetup.Mode;
import dev.pmtud.it.RawSetup.SourceKind;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.PromText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code make demo} ({@code scripts/demo.sh}): the {@link EcmpLab} black hole without pmtud, then
 * with {@code bin/pmtud run} on every node, showing node 1's {@code ip route get} before and after
 * like the seed README does. Namespaces are removed on exit (the testkit's shutdown hook).
 * Exit status 0 when the story came out as expected, 1 otherwise.
 */
public final class EcmpDemo {
    private EcmpDemo() {
    }

    /** Arguments: optional source ({@code nflog}, {@code nflog-external-rule}, {@code pcap}) and mode ({@code l3}, ...). */
    public static void main(String[] args) throws Exception {
        SourceKind source = SourceKind.NFLOG;
        Mode mode = Mode.L3;
        for (String a : args) {
            for (SourceKind k : SourceKind.values()) {
                source = k.text.equals(a) ? k : source;
            }
            for (Mode m : Mode.values()) {
                mode = m.text.equals(a) ? m : mode;
            }
        }
        boolean ok = true;
        Path dir = Files.createTempDirectory("pmtud-demo-");
        System.out.println("Building the lab: client (mtu 9000) -- router (mtu 1400 towards the client) -- bridge -- node1, node2, node3 (mtu 9000),");
        System.out.println("VIP " + EcmpLab.VIP4 + " / " + EcmpLab.VIP6 + " on every node; the router sends TCP for the VIP to node1, ICMP for it to node2.");
        try (EcmpLab lab = EcmpLab.create()) {
            System.out.println();
            System.out.println("=== 1. without pmtud: node1 sends 2 MB to the client");
            for (Family f : Family.values()) {
                Transfers.Transfer t = Transfers.run(lab, Owner.HOST, f, EcmpLab.STALL_LIMIT);
                boolean asExpected = !t.bulk().complete() && EcmpLab.mtuOf(t.ownerRoute()) < 0;
                ok &= asExpected;
                show(lab, f, t, asExpected
                        ? "<<<< no mtu: the ICMP error went to node2, the connection is failing (" + t.bulk().bytes() + " of "
                                + BulkTransfer.BULK_SIZE + " bytes in " + t.bulk().millis() + " ms)"
                        : "<<<< unexpected: " + t.bulk());
            }
            lab.flushRouteCaches();
            System.out.println();
            System.out.println("=== 2. with pmtud on every node (" + source.text + " source, exclude-networks " + EcmpLab.NODES_NET4 + ", "
                    + EcmpLab.NODES_NET6 + ", raw sink " + mode.text + " to the other nodes"
                    + (source == SourceKind.NFLOG ? ", NFLOG rule managed by pmtud)" : ")"));
            RawSetup setup = new RawSetup(source, mode);
            for (int n = 1; n <= EcmpLab.NODES; n++) {
                for (List<String> rule : setup.externalRules(lab.plan)) {
                    lab.node(n).exec(rule.toArray(String[]::new));
                }
            }
            System.out.println("    config of node2 (" + dir.resolve("pmtud-node2.yaml") + "):");
            for (String line : setup.config(lab.plan, 2, dir).split("\n")) {
                System.out.println("      " + line);
            }
            List<PmtudDaemon> daemons = PmtudRun.startDaemons(lab, setup, PmtudRun.allNodes(), dir, Duration.ofSeconds(60));
            try {
                for (Family f : Family.values()) {
                    Transfers.Transfer t = Transfers.run(lab, Owner.HOST, f, Duration.ofSeconds(15));
                    boolean asExpected = t.bulk().complete() && EcmpLab.mtuOf(t.ownerRoute()) == EcmpLab.BOTTLENECK_MTU;
                    ok &= asExpected;
                    show(lab, f, t, asExpected
                            ? "<<<< correct MTU information, connection is working (" + t.bulk().bytes() + " bytes in " + t.bulk().millis() + " ms)"
                            : "<<<< unexpected: " + t.bulk());
                }
                PromText m = daemons.get(EcmpLab.ICMP_TARGET - 1).metrics();
                System.out.println();
                System.out.println("node2's /metrics:");
                for (String name : List.of(CounterChecks.RECEIVED, CounterChecks.FORWARDED, CounterChecks.PEER_SENT)) {
                    for (PromText.Sample s : m.samples(name)) {
                        System.out.println("  " + s.name() + s.labels() + " " + (long) s.value());
                    }
                }
            } finally {
                for (PmtudDaemon d : daemons) {
                    d.close();
                }
            }
        } catch (Exception | AssertionError e) {
            System.out.println("demo failed: " + e.getMessage());
            ok = false;
        }
        System.out.println();
        System.out.println(ok ? "demo: the black hole was real, and pmtud fixed it." : "demo: NOT as expected (see above); logs in " + dir);
        System.exit(ok ? 0 : 1);
    }

    private static void show(EcmpLab lab, Family f, Transfers.Transfer t, String note) {
        String raw = lab.node(EcmpLab.OWNER).exec("ip", f == Family.V4 ? "-4" : "-6", "route", "get", f.client()).stdout().stripTrailing();
        System.out.println("node1# ip " + (f == Family.V4 ? "" : "-6 ") + "route get " + f.client());
        String[] lines = raw.split("\n");
        for (int i = 0; i < lines.length; i++) {
            System.out.println(lines[i] + (i == lines.length - 1 ? "    " + note : ""));
        }
    }

    static {
        Netns.removeStale();
    }
}
