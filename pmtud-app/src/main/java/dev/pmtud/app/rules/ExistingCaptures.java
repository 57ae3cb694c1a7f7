package dev.pmtud.app.rules;

import static dev.pmtud.sys.nftables.NfTables.NFPROTO_IPV4;
import static dev.pmtud.sys.nftables.NfTables.NFPROTO_IPV6;

import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.nftables.NftChange;
import dev.pmtud.sys.nftables.NftClient;
import dev.pmtud.sys.nftables.NftRuleInfo;
import dev.pmtud.sys.nftables.NftTable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Captures to pmtud's NFLOG group that someone else already installed: go-pmtud's {@code table ip
 * pmtud}, or the seed's iptables rule ({@code -t raw PREROUTING ... -j NFLOG --nflog-group 33},
 * which iptables-nft keeps in {@code table ip raw} / {@code ip6 raw}). A second capture for the
 * same family would log every message twice, so pmtud adds none for a family found here, never
 * touches the rule it found, and says so in one log line when that changes.
 *
 * <p>Only the tables such a rule lives in are read (not kube-proxy's large ones). A rule added by
 * iptables-legacy is invisible over nf_tables and is not found.
 */
final class ExistingCaptures {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.rules");

    private final int group;
    /** IPv6? -> where the capture was found, as last reported. */
    private final Map<Boolean, String> reported = new HashMap<>();

    ExistingCaptures(int group) {
        this.group = group;
    }

    /** The families among {@code wanted} (false IPv4, true IPv6) that already log to the group. */
    Set<Boolean> coveredFamilies(NftClient c, List<Boolean> wanted) throws NativeException {
        Map<Boolean, String> found = new HashMap<>();
        for (boolean v6 : wanted) {
            String where = find(c, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
            if (where != null) {
                found.put(v6, where);
            }
        }
        report(wanted, found);
        return new HashSet<>(found.keySet());
    }

    /**
     * Whether a change may add or remove such a capture: a rule logging to the group added or
     * deleted in one of the tables read here, or such a table or its PREROUTING chain deleted.
     * Everything else (kube-proxy's churn in {@code ip filter} and {@code ip nat}) is not.
     */
    boolean concerns(NftChange change) {
        boolean goPmtud = isGoPmtud(change.family(), change.table());
        if (!goPmtud && !isIptables(change.family(), change.table())) {
            return false;
        }
        return switch (change.kind()) {
            case DELETE_TABLE -> true;
            case DELETE_CHAIN -> goPmtud || "PREROUTING".equals(change.chain());
            case ADD_RULE, DELETE_RULE -> (goPmtud || "PREROUTING".equals(change.chain())) && change.rule().nflogGroups().contains(group);
            default -> false;
        };
    }

    private static boolean isGoPmtud(int family, String table) {
        return family == NFPROTO_IPV4 && "pmtud".equals(table);
    }

    private static boolean isIptables(int family, String table) {
        return (family == NFPROTO_IPV4 || family == NFPROTO_IPV6) && ("raw".equals(table) || "mangle".equals(table));
    }

    private String find(NftClient c, int family) throws NativeException {
        for (NftTable t : c.tables(family)) {
            boolean goPmtud = isGoPmtud(family, t.name());
            boolean iptables = isIptables(family, t.name());
            if (!goPmtud && !iptables) {
                continue;
            }
            for (NftRuleInfo r : c.rules(family, t.name(), iptables ? "PREROUTING" : null)) {
                if (r.nflogGroups().contains(group)) {
                    return "table " + (family == NFPROTO_IPV4 ? "ip " : "ip6 ") + t.name() + " chain " + r.chain()
                            + (goPmtud ? " (go-pmtud's)" : " (an iptables rule, like the seed's)");
                }
            }
        }
        return null;
    }

    private synchronized void report(List<Boolean> wanted, Map<Boolean, String> found) {
        for (boolean v6 : wanted) {
            String family = v6 ? "IPv6" : "IPv4";
            String now = found.get(v6);
            String before = reported.get(v6);
            if (now != null && !now.equals(before)) {
                LOG.log(System.Logger.Level.INFO, family + " messages already go to NFLOG group " + group + " through " + now
                        + "; pmtud adds no second capture for " + family + " (that would log each message twice) and leaves that rule alone");
            } else if (now == null && before != null) {
                LOG.log(System.Logger.Level.INFO, "the " + family + " capture to NFLOG group " + group + " in " + before
                        + " is gone; pmtud captures " + family + " itself now");
            }
            if (now == null) {
                reported.remove(v6);
            } else {
                reported.put(v6, now);
            }
        }
    }
}
