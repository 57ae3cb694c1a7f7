package dev.pmtud.app.rules;

import static dev.pmtud.sys.nftables.NfTables.NFPROTO_IPV4;
import static dev.pmtud.sys.nftables.NfTables.NFPROTO_IPV6;

import dev.pmtud.api.Cidr;
import dev.pmtud.sys.nftables.NftChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The capture rule as the seed's iptables rule and its ip6tables twin, tagged
 * {@code -m comment --comment "pmtud OWNER"} ({@link RuleOwner}):
 * <pre>
 * iptables  -t raw -A PREROUTING -i eth0 ! -s NET -p icmp -m icmp --icmp-type 3/4 -m comment --comment "pmtud 4711-9c0ffee1" -j NFLOG --nflog-group 33
 * ip6tables -t raw -A PREROUTING -i eth0 ! -s NET6 -p icmpv6 -m icmpv6 --icmpv6-type 2/0 -m comment --comment "pmtud 4711-9c0ffee1" -j NFLOG --nflog-group 33
 * </pre>
 * IPv4 networks go to iptables, IPv6 ones to ip6tables.
 *
 * <p>Several excluded networks of one family: {@code ! -s a,b} does not mean "neither a nor b":
 * iptables expands it into one rule per address ({@code ! -s a} and {@code ! -s b}), and a
 * message from {@code b} matches the first one and is logged anyway. So with two or more networks
 * PREROUTING jumps to a chain of pmtud's own, {@code PMTUD-<group>}, that RETURNs for each excluded
 * network and logs what is left — a conjunction, in rule order. With one network the seed's rule
 * is installed verbatim.
 *
 * <p>Idempotent: every rule is checked with {@code -C} before {@code -A}. iptables has no
 * transactions, so taking over another owner's rules adds this owner's first and then deletes
 * theirs (a moment of double logging, which dedup absorbs, rather than a gap), and a chain is
 * rewritten rule by rule with {@code -R} (never flushed while PREROUTING jumps to it). Removal
 * deletes only PREROUTING rules carrying a {@code pmtud} comment of this owner (any owner for
 * {@code pmtud rules remove}) and this group (or the jump to its chain), then the chain once nothing
 * jumps to it. {@code iptables} is used when present (nft or legacy backend alike), else
 * {@code iptables-legacy}, else {@code iptables-nft}; with the nft backend its rules are nf_tables
 * objects whose deletion is announced ({@link #notified()}).
 */
final class IptablesBackend implements RuleBackend {
    static final String COMMENT = RuleOwner.TAG;

    private final CaptureRule rule;
    private final RuleOwner owner;
    private final Iptables iptables;
    private final Iptables ip6tables;
    private Boolean notified;

    IptablesBackend(CaptureRule rule, RuleOwner owner, String iptablesBinary, String ip6tablesBinary, List<String> commandPrefix) {
        this.rule = rule;
        this.owner = owner;
        this.iptables = new Iptables(iptablesBinary, commandPrefix);
        this.ip6tables = new Iptables(ip6tablesBinary, commandPrefix);
    }

    @Override
    public String name() {
        return "iptables";
    }

    /** The comment on every rule this owner adds. */
    String comment() {
        return COMMENT + " " + owner.id();
    }

    /** The chain used when one family excludes several networks. */
    String chain() {
        return "PMTUD-" + rule.group();
    }

    private final class Family {
        final Iptables ipt;
        final boolean v6;
        final List<Cidr> nets;

        Family(Iptables ipt, boolean v6) {
            this.ipt = ipt;
            this.v6 = v6;
            this.nets = rule.excluded(v6);
        }

        boolean usesChain() {
            return nets.size() > 1;
        }

        List<String> protocol() {
            return v6 ? List.of("-p", "icmpv6", "-m", "icmpv6", "--icmpv6-type", "2/0")
                    : List.of("-p", "icmp", "-m", "icmp", "--icmp-type", "3/4");
        }

        List<String> prerouting(String iface) {
            return prerouting(iface, comment());
        }

        List<String> prerouting(String iface, String comment) {
            List<String> a = new ArrayList<>(List.of("-i", iface));
            if (nets.size() == 1) {
                a.addAll(List.of("!", "-s", text(nets.get(0))));
            }
            a.addAll(protocol());
            a.addAll(List.of("-m", "comment", "--comment", comment));
            if (usesChain()) {
                a.addAll(List.of("-j", chain()));
            } else {
                a.addAll(List.of("-j", "NFLOG", "--nflog-group", String.valueOf(rule.group())));
            }
            return a;
        }

        List<List<String>> chainRules(String comment) {
            List<List<String>> rules = new ArrayList<>();
            for (Cidr c : nets) {
                rules.add(List.of("-s", text(c), "-m", "comment", "--comment", comment, "-j", "RETURN"));
            }
            rules.add(List.of("-m", "comment", "--comment", comment, "-j", "NFLOG", "--nflog-group", String.valueOf(rule.group())));
            return rules;
        }

        /** PREROUTING's pmtud rules for this group (any owner), as {@code -S} lists them, split into words. */
        List<List<String>> ourPrerouting() {
            List<List<String>> out = new ArrayList<>();
            Iptables.Result listing = ipt.run(tableArgs("-S", "PREROUTING"));
            if (listing.ok()) {
                for (String line : listing.stdout().lines().toList()) {
                    List<String> tokens = tokenize(line);
                    if (tokens.size() > 2 && tokens.get(0).equals("-A") && tokens.get(1).equals("PREROUTING") && ours(tokens)) {
                        out.add(tokens);
                    }
                }
            }
            return out;
        }

        /** Deletes a rule as {@code -S} listed it. */
        void delete(List<String> listed) {
            List<String> del = new ArrayList<>(List.of("-t", rule.table(), "-D"));
            del.addAll(listed.subList(1, listed.size()));
            ipt.runOrThrow(del);
        }

        List<String> args(String op, String chainName, List<String> spec) {
            List<String> a = new ArrayList<>(List.of("-t", rule.table(), op, chainName));
            a.addAll(spec);
            return a;
        }

        List<String> tableArgs(String... rest) {
            List<String> a = new ArrayList<>(List.of("-t", rule.table()));
            a.addAll(List.of(rest));
            return a;
        }
    }

    private List<Family> families() {
        List<Family> f = new ArrayList<>();
        for (boolean v6 : rule.families()) {
            f.add(new Family(v6 ? ip6tables : iptables, v6));
        }
        return f;
    }

    @Override
    public List<String> commands(String action, String iface) {
        List<String> out = new ArrayList<>();
        switch (action) {
            case "print":
            case "ensure":
                for (Family f : families()) {
                    if (f.usesChain()) {
                        out.add(f.ipt.describe(f.tableArgs("-N", chain())));
                        for (List<String> r : f.chainRules(comment())) {
                            out.add(f.ipt.describe(f.args("-A", chain(), r)));
                        }
                    }
                    out.add(f.ipt.describe(f.args("-A", "PREROUTING", f.prerouting(iface))));
                }
                return out;
            case "remove":
                for (Family f : families()) {
                    out.add(f.ipt.describe(f.args("-D", "PREROUTING", f.prerouting(iface))));
                    if (f.usesChain()) {
                        out.add(f.ipt.describe(f.tableArgs("-F", chain())));
                        out.add(f.ipt.describe(f.tableArgs("-X", chain())));
                    }
                }
                return out;
            default:
                throw new IllegalArgumentException("unknown rules action '" + action + "'; use print, ensure or remove");
        }
    }

    @Override
    public Ensured ensure(String iface, boolean takeOver) {
        Map<Boolean, Integer> added = new HashMap<>();
        List<String> replaced = new ArrayList<>();
        for (Family f : families()) {
            int n = f.usesChain() ? ensureChain(f, takeOver, replaced) : 0;
            List<String> spec = f.prerouting(iface);
            List<List<String>> listed = f.ourPrerouting();
            boolean present = f.ipt.run(f.args("-C", "PREROUTING", spec)).ok();
            if (!present && !takeOver) {
                // Another run's rule that is the wanted one counts: `pmtud rules ensure` next to a running daemon adds nothing.
                for (List<String> l : listed) {
                    present |= !commentOf(l).equals(comment()) && f.ipt.run(f.args("-C", "PREROUTING", f.prerouting(iface, commentOf(l)))).ok();
                }
            }
            if (!present) {
                f.ipt.runOrThrow(f.args("-A", "PREROUTING", spec));
                n++;
            }
            if (takeOver) {
                // Ours is in place: now the predecessors' go (first add, then delete: double logging for a moment, never a gap).
                for (List<String> l : listed) {
                    if (!commentOf(l).equals(comment())) {
                        f.delete(l);
                        replaced.add(commentOf(l));
                    }
                }
            }
            if (n > 0) {
                added.put(f.v6, n);
            }
        }
        return new Ensured(added, new java.util.HashSet<>(rule.families()), replaced);
    }

    /** The chain of a family with several excluded networks; returns how many of its rules were missing. */
    private int ensureChain(Family f, boolean takeOver, List<String> replaced) {
        Iptables.Result listing = f.ipt.run(f.tableArgs("-S", chain()));
        List<List<String>> lines = new ArrayList<>();
        if (listing.ok()) {
            listing.stdout().lines().filter(l -> l.startsWith("-A ")).forEach(l -> lines.add(tokenize(l)));
        } else {
            f.ipt.runOrThrow(f.tableArgs("-N", chain()));
        }
        String theirs = lines.isEmpty() ? comment() : commentOf(lines.get(0));
        if (!takeOver && !theirs.equals(comment()) && missing(f, f.chainRules(theirs)) == 0 && lines.size() == f.chainRules(theirs).size()) {
            return 0; // another run's chain, exactly the wanted one
        }
        List<List<String>> want = f.chainRules(comment());
        int missing = missing(f, want);
        if (missing == 0 && lines.size() == want.size()) {
            return 0;
        }
        // Order matters (RETURNs before the NFLOG rule): rewrite it in place, one atomic -R per rule, so that the
        // jump from PREROUTING never meets an empty chain.
        for (int i = 0; i < want.size(); i++) {
            if (i < lines.size()) {
                f.ipt.runOrThrow(f.args("-R", chain(), withPosition(i + 1, want.get(i))));
                if (!commentOf(lines.get(i)).equals(comment())) {
                    replaced.add(commentOf(lines.get(i)));
                }
            } else {
                f.ipt.runOrThrow(f.args("-A", chain(), want.get(i)));
            }
        }
        for (int i = lines.size(); i > want.size(); i--) {
            f.ipt.runOrThrow(f.tableArgs("-D", chain(), String.valueOf(i)));
        }
        return Math.max(missing, 1);
    }

    private int missing(Family f, List<List<String>> rules) {
        int missing = 0;
        for (List<String> r : rules) {
            if (!f.ipt.run(f.args("-C", chain(), r)).ok()) {
                missing++;
            }
        }
        return missing;
    }

    private static List<String> withPosition(int position, List<String> spec) {
        List<String> a = new ArrayList<>(List.of(String.valueOf(position)));
        a.addAll(spec);
        return a;
    }

    @Override
    public void remove(boolean everyOwner) {
        for (Family f : families()) {
            for (List<String> l : f.ourPrerouting()) {
                if (everyOwner || commentOf(l).equals(comment())) {
                    f.delete(l);
                }
            }
            boolean jumpedTo = f.ourPrerouting().stream().anyMatch(l -> l.contains(chain()));
            if (!jumpedTo && f.ipt.run(f.tableArgs("-S", chain())).ok()) {
                // Nothing leads to it any more (another owner's jump keeps it: the chain is theirs now).
                f.ipt.runOrThrow(f.tableArgs("-F", chain()));
                f.ipt.runOrThrow(f.tableArgs("-X", chain()));
            }
        }
    }

    @Override
    public synchronized boolean notified() {
        if (notified == null) {
            notified = (rule.ipv4() ? iptables : ip6tables).speaksNftables();
        }
        return notified;
    }

    @Override
    public boolean concerns(NftChange change) {
        boolean family = change.family() == NFPROTO_IPV4 ? rule.ipv4() : change.family() == NFPROTO_IPV6 && rule.ipv6();
        if (!family || !rule.table().equals(change.table())) {
            return false;
        }
        boolean ourChain = "PREROUTING".equals(change.chain()) || chain().equals(change.chain());
        return switch (change.kind()) {
            case DELETE_TABLE -> true;
            case DELETE_CHAIN -> ourChain;
            case DELETE_RULE -> ourChain && RuleOwner.tagged(change.rule().comment());
            default -> false;
        };
    }

    /** The text after {@code --comment} in a listed rule ({@code ""} when it has none). */
    static String commentOf(List<String> tokens) {
        int i = tokens.indexOf("--comment");
        return i >= 0 && i + 1 < tokens.size() ? tokens.get(i + 1) : "";
    }

    private boolean ours(List<String> tokens) {
        boolean tagged = false;
        boolean target = false;
        for (int i = 0; i + 1 < tokens.size(); i++) {
            String t = tokens.get(i);
            String next = tokens.get(i + 1);
            if (t.equals("--comment") && RuleOwner.tagged(next)) {
                tagged = true;
            } else if (t.equals("--nflog-group") && next.equals(String.valueOf(rule.group()))) {
                target = true;
            } else if (t.equals("-j") && next.equals(chain())) {
                target = true;
            }
        }
        return tagged && target;
    }

    /** A network as iptables prints it: {@link Cidr#toString()} already compresses IPv6 (RFC 5952). */
    static String text(Cidr c) {
        return c.toString();
    }

    /** Splits an {@code iptables -S} line, honouring double quotes (comments may be quoted). */
    static List<String> tokenize(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == '\\' && quoted && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (Character.isWhitespace(c) && !quoted) {
                if (any || cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
            }
        }
        if (any || cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}
