package dev.pmtud.app.rules;

import static dev.pmtud.sys.nftables.NfTables.NFPROTO_INET;
import static dev.pmtud.sys.nftables.NfTables.NF_INET_PRE_ROUTING;
import static dev.pmtud.sys.nftables.NfTables.NF_IP_PRI_MANGLE;
import static dev.pmtud.sys.nftables.NfTables.NF_IP_PRI_RAW;

import dev.pmtud.api.Cidr;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.nftables.NftBatch;
import dev.pmtud.sys.nftables.NftChain;
import dev.pmtud.sys.nftables.NftChange;
import dev.pmtud.sys.nftables.NftClient;
import dev.pmtud.sys.nftables.NftRule;
import dev.pmtud.sys.nftables.NftRuleInfo;
import dev.pmtud.sys.nftables.NftTable;
import dev.pmtud.sys.nftables.NftUserdata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The capture rule as an nftables table of pmtud's own, spoken over netlink (no nft binary):
 * <pre>
 * table inet pmtud {
 *     comment "pmtud"
 *     chain capture-33 {
 *         comment "pmtud"
 *         type filter hook prerouting priority raw; policy accept;
 *         iifname "eth0" icmp type destination-unreachable icmp code frag-needed ip saddr != NET ... log group 33 comment "pmtud 1a2b3c4d"
 *         iifname "eth0" icmpv6 type packet-too-big icmpv6 code no-route ip6 saddr != NET6 ... log group 33 comment "pmtud 5e6f7a8b"
 *     }
 * }
 * </pre>
 * An {@code inet} table, so it never collides with go-pmtud's {@code ip pmtud}; one chain per NFLOG
 * group. Several excluded networks are a plain conjunction here. The rule comment carries a
 * fingerprint of the rule's expressions and the {@link RuleOwner} that added it
 * ({@code pmtud 1a2b3c4d 4711-9c0ffee1}): a rule whose fingerprint is not wanted (the interface or
 * the networks changed) is replaced, a missing one added, so ensure is idempotent.
 *
 * <p>Ownership: the table and chain carry the comment {@code pmtud}; they are containers that
 * every pmtud run may share (the chain is per group, so in practice its group's holder's). A table or
 * chain of that name without it is someone else's: pmtud refuses to touch it. Removal deletes only
 * rules whose comment starts with {@code pmtud} and names this owner (all owners for
 * {@code pmtud rules remove}), the chain only when nothing else is in it, the table only when it is
 * then empty, in one transaction bound to the ruleset generation it was computed from (the kernel
 * refuses it with ERESTART if anything changed meanwhile, and pmtud reads again). Taking over
 * (the holder of the group at start) deletes other owners' rules of the chain and adds its own in
 * one transaction: the capture never lapses.
 *
 * <p>A family already captured to the same group by go-pmtud's table or an iptables(-nft) rule
 * ({@link ExistingCaptures}) gets no second rule.
 */
final class NftablesBackend implements RuleBackend {
    static final String TABLE = "pmtud";
    static final String TAG = RuleOwner.TAG;
    private static final int ATTEMPTS = 5;

    /** Opens the netlink connection (tests open it inside a namespace). */
    interface Opener {
        NftClient open() throws NativeException;
    }

    private final CaptureRule rule;
    private final RuleOwner owner;
    private final Opener opener;
    private final ExistingCaptures existing;

    NftablesBackend(CaptureRule rule, RuleOwner owner, Opener opener) {
        this.rule = rule;
        this.owner = owner;
        this.opener = opener;
        this.existing = new ExistingCaptures(rule.group());
    }

    @Override
    public String name() {
        return "nftables";
    }

    String chain() {
        return "capture-" + rule.group();
    }

    private int priority() {
        return rule.table().equals("mangle") ? NF_IP_PRI_MANGLE : NF_IP_PRI_RAW;
    }

    /** The rule for one family, its comment carrying its fingerprint and owner. */
    NftRule ruleFor(boolean v6, String iface) {
        NftRule.Builder b = NftRule.builder();
        if (iface != null) {
            b.iifname(iface);
        }
        if (v6) {
            b.icmpv6(2, 0);
        } else {
            b.icmp(3, 4);
        }
        for (Cidr c : rule.excluded(v6)) {
            b.sourceNotIn(c.network().getAddress(), c.prefixLength());
        }
        NftRule r = b.logGroup(rule.group()).build();
        return r.withComment(TAG + " " + r.fingerprint() + " " + owner.id());
    }

    private static boolean ours(NftRuleInfo r) {
        return RuleOwner.tagged(r.comment());
    }

    private static String fingerprint(String comment) {
        return RuleOwner.word(comment, 0);
    }

    private boolean mine(NftRuleInfo r) {
        return ours(r) && RuleOwner.word(r.comment(), 1).equals(owner.id());
    }

    @Override
    public List<String> commands(String action, String iface) {
        String family = "inet " + TABLE;
        switch (action) {
            case "print":
            case "ensure":
                List<String> out = new ArrayList<>();
                out.add("table " + family + " {");
                out.add("\tcomment \"" + TAG + "\"");
                out.add("\tchain " + chain() + " {");
                out.add("\t\tcomment \"" + TAG + "\"");
                out.add("\t\ttype filter hook prerouting priority " + rule.table() + "; policy accept;");
                for (boolean v6 : rule.families()) {
                    out.add("\t\t" + ruleFor(v6, iface).text());
                }
                out.add("\t}");
                out.add("}");
                return out;
            case "remove":
                return List.of("delete chain " + family + " " + chain(), "delete table " + family + "    # when nothing else is left in it");
            default:
                throw new IllegalArgumentException("unknown rules action '" + action + "'; use print, ensure or remove");
        }
    }

    @Override
    public Ensured ensure(String iface, boolean takeOver) {
        try (NftClient c = open()) {
            for (int attempt = 1; ; attempt++) {
                int gen = c.generation();
                Optional<NftTable> table = c.table(NFPROTO_INET, TABLE);
                if (table.isPresent() && !TAG.equals(table.get().comment())) {
                    throw new RuleException("nftables: table inet " + TABLE + " exists but pmtud did not create it (its comment is "
                            + quoted(table.get().comment()) + ", not \"" + TAG + "\"); pmtud leaves it alone: rename or delete it, or set rules.backend: iptables");
                }
                Optional<NftChain> chain = table.isPresent() ? c.chain(NFPROTO_INET, TABLE, chain()) : Optional.empty();
                if (chain.isPresent()) {
                    checkChain(chain.get());
                }
                List<NftRuleInfo> present = chain.isPresent() ? c.rules(NFPROTO_INET, TABLE, chain()) : List.of();
                Set<Boolean> covered = existing.coveredFamilies(c, rule.families());
                Map<String, Boolean> wanted = new LinkedHashMap<>(); // fingerprint -> IPv6?
                Map<String, NftRule> rules = new LinkedHashMap<>();
                for (boolean v6 : rule.families()) {
                    if (!covered.contains(v6)) {
                        NftRule r = ruleFor(v6, iface);
                        wanted.put(fingerprint(r.comment()), v6);
                        rules.put(fingerprint(r.comment()), r);
                    }
                }
                NftBatch b = c.batch();
                if (table.isEmpty() && !wanted.isEmpty()) {
                    b.addTable(NFPROTO_INET, TABLE, NftUserdata.comment(TAG));
                }
                if (chain.isEmpty() && !wanted.isEmpty()) {
                    b.addBaseChain(NFPROTO_INET, TABLE, chain(), NF_INET_PRE_ROUTING, priority(), NftUserdata.comment(TAG));
                }
                Set<String> kept = new HashSet<>();
                List<String> replaced = new ArrayList<>();
                for (NftRuleInfo p : present) {
                    if (!ours(p)) {
                        continue; // someone's own rule in our chain: not ours to judge
                    }
                    boolean mine = mine(p);
                    String fp = fingerprint(p.comment());
                    // Kept: a wanted rule (not one for an old configuration, nor for a family captured elsewhere now), not a
                    // duplicate, and this owner's when taking over: another owner's is then a predecessor's, replaced by ours.
                    if (wanted.containsKey(fp) && (mine || !takeOver) && kept.add(fp)) {
                        continue;
                    }
                    b.deleteRule(NFPROTO_INET, TABLE, chain(), p.handle());
                    if (!mine) {
                        replaced.add(p.comment());
                    }
                }
                Map<Boolean, Integer> added = new HashMap<>();
                for (Map.Entry<String, NftRule> r : rules.entrySet()) {
                    if (!kept.contains(r.getKey())) {
                        b.addRule(NFPROTO_INET, TABLE, chain(), r.getValue());
                        added.merge(wanted.get(r.getKey()), 1, Integer::sum);
                    }
                }
                if (commit(c, b, gen, attempt)) {
                    return new Ensured(added, new HashSet<>(wanted.values()), replaced);
                }
            }
        } catch (NativeException e) {
            throw failure(e);
        }
    }

    private void checkChain(NftChain ch) {
        if (!TAG.equals(ch.comment())) {
            throw new RuleException("nftables: chain inet " + TABLE + " " + ch.name() + " exists but pmtud did not create it (its comment is "
                    + quoted(ch.comment()) + "); delete it (nft delete chain inet " + TABLE + " " + ch.name() + ") or set rules.backend: iptables");
        }
        if (ch.hook() != NF_INET_PRE_ROUTING || ch.priority() != priority()) {
            throw new RuleException("nftables: chain inet " + TABLE + " " + ch.name() + " hooks at " + (ch.hook() < 0 ? "nothing" : "priority " + ch.priority())
                    + " but rules.table: " + rule.table() + " asks for prerouting priority " + priority()
                    + "; remove it with: pmtud rules remove --config FILE, then start again");
        }
    }

    @Override
    public void remove(boolean everyOwner) {
        try (NftClient c = open()) {
            for (int attempt = 1; ; attempt++) {
                int gen = c.generation();
                Optional<NftTable> table = c.table(NFPROTO_INET, TABLE);
                if (table.isEmpty() || !TAG.equals(table.get().comment())) {
                    return; // nothing of ours (a table of that name without our comment is not ours to delete)
                }
                Optional<NftChain> chain = c.chain(NFPROTO_INET, TABLE, chain());
                NftBatch b = c.batch();
                int chainsLeft = table.get().use();
                if (chain.isPresent() && TAG.equals(chain.get().comment())) {
                    List<NftRuleInfo> rules = c.rules(NFPROTO_INET, TABLE, chain());
                    List<NftRuleInfo> delete = rules.stream().filter(r -> everyOwner ? ours(r) : mine(r)).toList();
                    if (delete.size() == rules.size()) {
                        b.deleteChain(NFPROTO_INET, TABLE, chain()); // with every rule in it
                        chainsLeft--;
                    } else {
                        for (NftRuleInfo r : delete) {
                            b.deleteRule(NFPROTO_INET, TABLE, chain(), r.handle());
                        }
                    }
                }
                if (chainsLeft == 0) {
                    // Nothing else in it (another group's chain, a set someone added): the table goes too.
                    b.deleteTable(NFPROTO_INET, TABLE);
                }
                if (commit(c, b, gen, attempt)) {
                    return;
                }
            }
        } catch (NativeException e) {
            throw failure(e);
        }
    }

    @Override
    public boolean notified() {
        return true;
    }

    @Override
    public boolean concerns(NftChange change) {
        if (change.family() == NFPROTO_INET && TABLE.equals(change.table())) {
            return change.kind() == NftChange.Kind.DELETE_TABLE || (change.deletion() && chain().equals(change.chain()));
        }
        return existing.concerns(change);
    }

    /** @return false when the ruleset changed since {@code gen} and the caller should read it again */
    private static boolean commit(NftClient c, NftBatch b, int gen, int attempt) throws NativeException {
        try {
            c.commit(b, gen);
            return true;
        } catch (NativeException e) {
            if (e.errno() == Errno.ERESTART && attempt < ATTEMPTS) {
                return false;
            }
            throw e;
        }
    }

    private NftClient open() {
        try {
            return opener.open();
        } catch (NativeException e) {
            throw failure(e);
        }
    }

    /** One line: what failed, the errno, and what to do about it. */
    static RuleException failure(NativeException e) {
        String m = e.getMessage();
        switch (e.errno()) {
            case Errno.EPERM:
            case Errno.EACCES:
                return new RuleException(m + "; managing the capture rule needs CAP_NET_ADMIN (run as root or add the capability)");
            case Errno.EINVAL:
            case Errno.EOPNOTSUPP:
            case Errno.EPROTONOSUPPORT:
                return m.contains("generation") || m.contains("socket")
                        ? new RuleException(m + "; this kernel has no nf_tables: set rules.backend: iptables")
                        : new RuleException(m);
            case Errno.ERESTART:
                return new RuleException(m + "; the ruleset kept changing while pmtud updated it " + ATTEMPTS + " times; try again");
            default:
                return new RuleException(m);
        }
    }

    private static String quoted(String s) {
        return s == null ? "missing" : "\"" + s + "\"";
    }
}
