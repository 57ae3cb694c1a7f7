package dev.pmtud.it;

import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One way to run pmtud on every node of a {@link ClusterLab}: the YAML each node gets and what the
 * end-to-end checks may expect from it. A new replication setup is one more implementation of this
 * (a YAML generator per node); the scenario ({@link PmtudRun}) and its checks stay as they are.
 */
public interface PmtudSetup {
    /** The variant's name in test names, {@code -Dpmtud.e2e.variants} and the summary. */
    String name();

    /** The configuration node {@code n} runs with; files it refers to (keys) are written to {@code dir}. */
    String config(ClusterPlan plan, int n, Path dir) throws IOException;

    /**
     * {@code bin/pmtud}'s arguments on node {@code n}, given the file {@link #config} was written to;
     * {@code run --config FILE}, unless the setup starts pmtud another way (go-pmtud's flags).
     */
    default List<String> arguments(ClusterPlan plan, int n, Path configFile) {
        return List.of("run", "--config", configFile.toString());
    }

    /** Environment ({@code NAME=value}) pmtud gets on node {@code n} on top of the test's. */
    default List<String> environment(ClusterPlan plan, int n) {
        return List.of();
    }

    /** Commands run on every node before pmtud starts (go-pmtud's initContainer installed rules). */
    default List<List<String>> externalRules(ClusterPlan plan) {
        return List.of();
    }

    /** The peers node 2's sink sends a message of family {@code f} to, one each; empty when it addresses none (broadcast). */
    List<InetAddress> addressedPeers(ClusterPlan plan, Family f);

    /** Where the replicas arrive on the other nodes (captured there). */
    default String replicaInterface() {
        return ClusterLab.UPLINK;
    }

    /** The pipeline of the single-pipeline form: every per-pipeline series carries its name. */
    String SINGLE_PIPELINE = "main";

    /** A sink of one pipeline, as its series are labelled ({@code pipeline}, {@code sink}). */
    record PipelineSink(String pipeline, String sink) {
    }

    /**
     * The pipeline whose series say what node 2 caught, forwarded and sent to its peers; node 2's
     * counters are read from that pipeline's series only.
     */
    default String replicatingPipeline() {
        return SINGLE_PIPELINE;
    }

    /** The sink that hands a replica to the kernel on a receiving node, or empty when the kernel receives it directly. */
    default Optional<PipelineSink> receivingSink() {
        return Optional.empty();
    }

    /** Whether node 2 forwards every message it catches (no dedup or rate limit in its pipeline). */
    boolean forwardsEveryMessage();

    /** Whether a replica reaches a connection in a pod behind DNAT (not only host sockets). */
    boolean reachesPods();

    /** Checks on node {@code n} while pmtud runs there (rules, devices). */
    default void checkRunning(ClusterLab lab, int n, List<String> problems) {
    }

    /** Checks of the running daemons after every transfer, before they are stopped (what they count, what they serve). */
    default void checkAfterTransfers(ClusterLab lab, List<PmtudDaemon> daemons, List<String> problems) throws Exception {
    }

    /** Checks on node {@code n} after pmtud stopped there (what it created is gone). */
    default void checkStopped(ClusterLab lab, int n, List<String> problems) {
    }

    /** The node addresses of family {@code f} other than node {@code n}'s. */
    static List<String> otherNodes(ClusterPlan plan, Family f, int n) {
        List<String> out = new ArrayList<>();
        for (int p = 1; p <= ClusterLab.NODES; p++) {
            if (p != n) {
                out.add(plan.nodeAddress(f, p));
            }
        }
        return out;
    }

    /**
     * pmtud's managed NFLOG rule (group {@link PmtudDaemon#NFLOG_GROUP}), both families: present or
     * not; as its nftables table {@code inet pmtud} ({@code rules.backend} auto, where the kernel has
     * nf_tables) or as iptables rules. Once stopped, the table itself is gone too.
     */
    static void checkNflogRule(Netns node, int n, boolean present, List<String> problems) {
        Cmd.Result table = node.execAllowingFailure("nft", "list", "table", "inet", "pmtud");
        String nft = table.exitCode() == 0 ? table.stdout() : "";
        if (!present && table.exitCode() == 0) {
            problems.add("node" + n + ": pmtud's table inet pmtud should be gone after pmtud stopped; it holds:\n" + nft.strip());
        }
        String group = "log group " + PmtudDaemon.NFLOG_GROUP;
        for (Family f : Family.values()) {
            String rules = node.exec(f.iptables(), "-t", "raw", "-S", "PREROUTING").stdout();
            String match = f == Family.V4 ? "icmp type destination-unreachable" : "icmpv6 type packet-too-big";
            boolean inNft = nft.lines().anyMatch(l -> l.contains(match) && l.contains(group));
            boolean inIptables = rules.contains("NFLOG") && rules.contains("--nflog-group " + PmtudDaemon.NFLOG_GROUP);
            if ((inNft || inIptables) != present) {
                problems.add("node" + n + ": the " + f + " NFLOG rule (group " + PmtudDaemon.NFLOG_GROUP + ") should " + (present ? "" : "no longer ")
                        + "be in table inet pmtud or " + f.iptables() + " raw PREROUTING " + (present ? "while pmtud runs" : "after pmtud stopped")
                        + "; they hold:\n" + nft.strip() + "\n" + rules.strip());
            }
        }
    }
}
