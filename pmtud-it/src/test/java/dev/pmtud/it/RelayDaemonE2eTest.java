package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.FrameSender;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's "Stop" tests on one node running {@code bin/pmtud run} with the relay configuration
 * ({@link RelaySetup}, node 1 of the ECMP plan; a peer namespace on its uplink sends it a
 * frag-needed):
 * <ul>
 *   <li>a second daemon with the same configuration in the same namespace exits 1 with one line
 *       naming the port that is taken, and so does one that only shares the relay's UDP port; right
 *       after each (no rule-watch interval in between) the first daemon's table, TUN device and
 *       counters are what they were, and it still captures;</li>
 *   <li>after SIGTERM the first exits 0 and its TUN device and table are gone.</li>
 * </ul>
 */
@Tag("netns")
class RelayDaemonE2eTest {
    private static final int NODE = 1;
    private static final String NODE4 = EcmpLab.PLAN.nodeAddress(Family.V4, NODE);
    private static final String PEER4 = EcmpLab.PLAN.nodeAddress(Family.V4, 2);
    private static final String PIPELINE = "pipeline=\"" + RelaySetup.REPLICATE + "\"";

    /** The table with rule handles ({@code -a}): a rule deleted and re-added has another handle. */
    private static String table(Netns ns) {
        return ns.execAllowingFailure("nft", "-a", "list", "table", "inet", "pmtud").stdout();
    }

    /** The device with its index: a device removed and created again has another. */
    private static String device(Netns ns, String name) {
        return ns.execAllowingFailure("ip", "-o", "link", "show", name).stdout().strip();
    }

    /** Every pmtud counter series, as exposed (name, labels, value). */
    private static List<String> counters(PmtudDaemon d) throws Exception {
        LoopbackHttp.Response r = d.get("/metrics");
        assertEquals(200, r.status(), r.body());
        return r.body().lines().filter(l -> l.startsWith("pmtud_") && l.contains("_total{")).toList();
    }

    /** A counter of pipeline {@code replicate}; -1 while /metrics does not answer. */
    private static double replicate(PmtudDaemon d, String name) {
        try {
            return d.metrics().sum(name, l -> RelaySetup.REPLICATE.equals(l.get("pipeline")));
        } catch (Exception e) {
            return -1;
        }
    }

    /** What the first daemon holds, to compare right after a refused start. */
    private record Held(String table, String device, List<String> counters) {
        static Held of(Netns ns, PmtudDaemon d) throws Exception {
            return new Held(RelayDaemonE2eTest.table(ns), RelayDaemonE2eTest.device(ns, RelaySetup.DEVICE), RelayDaemonE2eTest.counters(d));
        }
    }

    /** {@code bin/pmtud run --config FILE} in {@code ns}, to its end. */
    private static Cmd.Result runToEnd(Netns ns, Path config) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        cmd.addAll(PmtudDaemon.Launcher.command());
        cmd.addAll(List.of("run", "--config", config.toString()));
        return Cmd.exec(cmd, 120);
    }

    private static void assertRefusedWithOneLine(Cmd.Result r, String naming, String why) {
        String all = "exit " + r.exitCode() + "\nstderr:\n" + r.stderr() + "stdout:\n" + r.stdout();
        assertEquals(1, r.exitCode(), all);
        List<String> errors = r.stderr().lines().filter(l -> l.startsWith("pmtud: ")).toList();
        assertEquals(1, errors.size(), "one error line: " + all);
        assertTrue(errors.get(0).contains(naming) && errors.get(0).contains(why), "the line names " + naming + " and says " + why + ": " + all);
        assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")), "no stack trace: " + all);
    }

    private static void assertUntouched(Netns ns, PmtudDaemon first, Held before, String after) throws Exception {
        Held now = Held.of(ns, first);
        assertEquals(before.table(), now.table(), "the first daemon's table (with rule handles), right after " + after);
        assertEquals(before.device(), now.device(), "the first daemon's TUN device, right after " + after);
        assertEquals(before.counters(), now.counters(), "the first daemon's counters, right after " + after);
        assertTrue(first.alive(), "the first daemon still runs after " + after + "; log:\n" + first.logText());
    }

    @Test
    void secondDaemonIsRefusedWithOneLineAndTheFirstKeepsItsRuleDeviceAndCounters(@TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        try (Netns node = Netns.create("relay-node"); Netns peer = Netns.create("relay-peer")) {
            Netns.veth(node, ClusterLab.UPLINK, peer, ClusterLab.UPLINK);
            node.exec("ip", "addr", "add", NODE4 + "/24", "dev", ClusterLab.UPLINK);
            peer.exec("ip", "addr", "add", PEER4 + "/24", "dev", ClusterLab.UPLINK);
            String nodeMac = node.exec("cat", "/sys/class/net/" + ClusterLab.UPLINK + "/address").stdout().strip();
            String peerMac = peer.exec("cat", "/sys/class/net/" + ClusterLab.UPLINK + "/address").stdout().strip();
            String yaml = RelaySetup.RELAY.config(EcmpLab.PLAN, NODE, dir);

            try (PmtudDaemon first = PmtudDaemon.start(node, NODE, yaml, dir);
                 FrameSender tx = peer.call(() -> FrameSender.open(ClusterLab.UPLINK))) {
                first.awaitReady(EcmpPmtudE2eTest.READY_LIMIT);
                // something counted, so that "untouched" compares more than zeros
                tx.send(Frames.ethernet(nodeMac, peerMac, Ptb.v4().from("203.0.113.7").to(NODE4).mtu(1400).build()));
                // ... and relayed: the sink is the last step that counts, so nothing moves after this
                Await.until(Duration.ofSeconds(20), "the first daemon to capture and relay a frag-needed (" + PIPELINE + ")",
                        () -> replicate(first, CounterChecks.SINK_SENT) == 1);
                Held before = Held.of(node, first);
                assertTrue(before.table().contains("log group " + PmtudDaemon.NFLOG_GROUP), before.table());
                assertTrue(before.device().contains(RelaySetup.DEVICE), before.device());

                // 1. The same configuration again: its metrics port is the first thing it finds taken.
                Cmd.Result same = runToEnd(node, dir.resolve("pmtud-node" + NODE + ".yaml"));
                assertRefusedWithOneLine(same, "127.0.0.1:" + PmtudDaemon.metricsPort(NODE), "another pmtud is probably running");
                assertUntouched(node, first, before, "a second daemon with the same configuration");

                // 2. Only the relay's port shared (its own metrics port and device): refused on the port, its device removed again.
                Path receiver = dir.resolve("second-receiver.yaml");
                String device = "pmtud9";
                Files.writeString(receiver, "node: node" + NODE + "\n"
                        + "metrics: { listen: \"127.0.0.1:" + (PmtudDaemon.metricsPort(NODE) + 50) + "\" }\n"
                        + "peers: [ { type: static, addresses: [" + PEER4 + "] } ]\n"
                        + "sources: [ { type: udp, listen: \"[::]:" + RelaySetup.PORT + "\", key-file: " + RelaySetup.keyFile(dir) + " } ]\n"
                        + "sinks: [ { type: inject, device: " + device + " } ]\n");
                Cmd.Result samePort = runToEnd(node, receiver);
                assertRefusedWithOneLine(samePort, "[::]:" + RelaySetup.PORT, "EADDRINUSE");
                assertUntouched(node, first, before, "a second daemon on the relay's port");
                assertEquals("", device(node, device), "the refused daemon removed the device it had created");

                // and the first still captures and relays
                tx.send(Frames.ethernet(nodeMac, peerMac, Ptb.v4().from("203.0.113.8").to(NODE4).mtu(1400).build()));
                Await.until(Duration.ofSeconds(20), "the first daemon to capture and relay again after the refusals",
                        () -> replicate(first, CounterChecks.SINK_SENT) == 2);

                // Stop: exit 0, the TUN device and the table gone.
                assertEquals(0, first.stop(PmtudRun.STOP_LIMIT), "exit 0 after SIGTERM; log:\n" + first.logText());
                assertEquals("", device(node, RelaySetup.DEVICE), "the TUN device is gone after SIGTERM; log:\n" + first.logText());
                assertEquals("", table(node), "the table inet pmtud is gone after SIGTERM; log:\n" + first.logText());
            }
        }
    }
}
