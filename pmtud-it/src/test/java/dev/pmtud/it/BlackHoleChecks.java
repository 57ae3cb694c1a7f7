package dev.pmtud.it;

import dev.pmtud.it.ClusterLab.Owner;
import dev.pmtud.testkit.Cmd;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * "Without pmtud the black hole is real", on any {@link ClusterLab}, for the host and the pod: the
 * controls complete, every 2 MB transfer stalls, no owner learns an MTU, node 2 received the router's
 * errors and node 1 none. Needs none of pmtud's code, so it also proves the rig the "with pmtud"
 * tests stand on.
 */
final class BlackHoleChecks {
    private BlackHoleChecks() {
    }

    /** Runs every case at once (one stall limit for all) and returns what is wrong; what was seen goes to {@code report}. */
    static List<String> verify(ClusterLab lab, List<Owner> owners, List<String> report) throws Exception {
        List<String> problems = new ArrayList<>();
        Map<Family, Long> atTarget = new EnumMap<>(Family.class);
        Map<Family, Long> atOwner = new EnumMap<>(Family.class);
        for (Family f : Family.values()) {
            atTarget.put(f, lab.icmpErrorsReceived(ClusterLab.ICMP_TARGET, f));
            atOwner.put(f, lab.icmpErrorsReceived(ClusterLab.OWNER, f));
        }
        for (Transfers.Transfer t : Transfers.runAtOnce(lab, Transfers.all(owners), ClusterLab.STALL_LIMIT)) {
            report.add(lab.kind() + " " + t.label() + " without pmtud: " + t.bulk() + "; owner: " + t.ownerRoute());
            // control: small segments pass the bottleneck, so the path itself works
            if (!t.control().complete()) {
                problems.add(t.label() + ": the control transfer of " + ClusterLab.SMALL_SIZE + " bytes should complete: " + t.control());
            }
            if (t.bulk().complete() || t.bulk().bytes() >= BulkTransfer.BULK_SIZE) {
                problems.add(t.label() + ": without pmtud the 2 MB transfer should stall, got " + t.bulk());
            }
            if (ClusterLab.mtuOf(t.ownerRoute()) != -1) {
                problems.add(t.label() + ": the owner should have learned no PMTU: " + t.ownerRoute());
            }
        }
        for (Family f : Family.values()) {
            // the router did send the errors: to node 2, which has no use for them
            if (lab.icmpErrorsReceived(ClusterLab.ICMP_TARGET, f) <= atTarget.get(f)) {
                problems.add(f + ": node" + ClusterLab.ICMP_TARGET + " should have received the router's ICMP errors");
            }
            long owner = lab.icmpErrorsReceived(ClusterLab.OWNER, f) - atOwner.get(f);
            if (owner != 0) {
                problems.add(f + ": node" + ClusterLab.OWNER + " should have received no ICMP error, got " + owner);
            }
        }
        if (owners.contains(Owner.POD)) {
            checkNftBesideDnat(lab, problems);
        }
        return problems;
    }

    /**
     * kube-proxy's DNAT (iptables-nft) and nft coexist: {@code nft list ruleset} works on the owner and
     * shows both tables. The IPv6 DNAT is an xtables target nft cannot print ("XT target DNAT not
     * found" on stderr), so only its match is looked for.
     */
    static void checkNftBesideDnat(ClusterLab lab, List<String> problems) {
        for (List<String> cmd : List.of(List.of("nft", "list", "ruleset"), List.of("nft", "-j", "list", "ruleset"))) {
            Cmd.Result r = lab.node(ClusterLab.OWNER).execAllowingFailure(cmd.toArray(String[]::new));
            if (r.exitCode() != 0) {
                problems.add("node" + ClusterLab.OWNER + ": `" + String.join(" ", cmd) + "` beside the DNAT rules failed (" + r.exitCode()
                        + "): " + r.stderr().strip());
            }
        }
        String text = lab.node(ClusterLab.OWNER).exec("nft", "list", "ruleset").stdout();
        String v4 = "dnat to " + Family.V4.withPort(ClusterLab.POD4, Owner.POD.bulkPort);
        String v6 = "ip6 daddr " + ClusterLab.VIP6 + " tcp dport " + Owner.POD.bulkPort;
        for (String expected : List.of(v4, v6)) {
            if (!text.contains(expected)) {
                problems.add("node" + ClusterLab.OWNER + ": `nft list ruleset` should show the pod's DNAT (" + expected + "); it shows:\n" + text);
            }
        }
    }
}
