package dev.pmtud.app.rules;

import dev.pmtud.api.Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * The capture rule as the seed's iptables rule and its ip6tables twin, tagged
 * {@code -m comment --comment pmtud}:
 * <pre>
 * iptables  -t raw -A PREROUTING -i eth0 ! -s NET -p icmp -m icmp --icmp-type 3/4 -m comment --comment pmtud -j NFLOG --nflog-group 33
 * ip6tables -t raw -A PREROUTING -i eth0 ! -s NET6 -p icmpv6 -m icmpv6 --icmpv6-type 2/0 -m comment --comment pmtud -j NFLOG --nflog-group 33
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
 * <p>Idempotent: every rule is checked with {@code -C} before {@code -A}. Removal deletes only
 * PREROUTING rules carrying the {@code pmtud} comment and this group (or the jump to its chain),
 * then the chain. {@code iptables} is used when present (nft or legacy backend alike), else
 * {@code iptables-legacy}, else {@code iptables-nft}.
 */
final class IptablesBackend implements RuleBackend {
    static final String COMMENT = "pmtud";

    private final CaptureRule rule;
    private final Iptables iptables;
    private final Iptables ip6tables;

    IptablesBackend(CaptureRule rule, String iptablesBinary, String ip6tablesBinary, List<String> commandPrefix) {
        this.rule = rule;
        this.iptables = new Iptables(iptablesBinary, commandPrefix);
        this.ip6tables = new Iptables(ip6tablesBinary, commandPrefix);
    }

    @Override
    public String name() {
        return "iptables";
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
            List<String> a = new ArrayList<>(List.of("-i", iface));
            if (nets.size() == 1) {
                a.addAll(List.of("!", "-s", text(nets.get(0))));
            }
            a.addAll(protocol());
            a.addAll(List.of("-m", "comment", "--comment", COMMENT));
            if (usesChain()) {
                a.addAll(List.of("-j", chain()));
            } else {
                a.addAll(List.of("-j", "NFLOG", "--nflog-group", String.valueOf(rule.group())));
            }
            return a;
        }

        List<List<String>> chainRules() {
            List<List<String>> rules = new ArrayList<>();
            for (Cidr c : nets) {
                rules.add(List.of("-s", text(c), "-m", "comment", "--comment", COMMENT, "-j", "RETURN"));
            }
            rules.add(List.of("-m", "comment", "--comment", COMMENT, "-j", "NFLOG", "--nflog-group", String.valueOf(rule.group())));
            return rules;
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
                        for (List<String> r : f.chainRules()) {
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
    public int ensure(String iface) {
        int added = 0;
        for (Family f : families()) {
            if (f.usesChain()) {
                // One listing serves both questions: does the chain exist, and how many rules does it hold.
                Iptables.Result listing = f.ipt.run(f.tableArgs("-S", chain()));
                long present = 0;
                if (listing.ok()) {
                    present = listing.stdout().lines().filter(l -> l.startsWith("-A ")).count();
                } else {
                    f.ipt.runOrThrow(f.tableArgs("-N", chain()));
                }
                List<List<String>> want = f.chainRules();
                int missing = 0;
                for (List<String> r : want) {
                    if (!f.ipt.run(f.args("-C", chain(), r)).ok()) {
                        missing++;
                    }
                }
                if (missing > 0 || present != want.size()) {
                    // Order matters (RETURNs before the NFLOG rule): rebuild the chain.
                    f.ipt.runOrThrow(f.tableArgs("-F", chain()));
                    for (List<String> r : want) {
                        f.ipt.runOrThrow(f.args("-A", chain(), r));
                    }
                    added += Math.max(missing, 1);
                }
            }
            List<String> spec = f.prerouting(iface);
            if (!f.ipt.run(f.args("-C", "PREROUTING", spec)).ok()) {
                f.ipt.runOrThrow(f.args("-A", "PREROUTING", spec));
                added++;
            }
        }
        return added;
    }

    @Override
    public void remove() {
        for (Family f : families()) {
            Iptables.Result listing = f.ipt.run(f.tableArgs("-S", "PREROUTING"));
            if (listing.ok()) {
                for (String line : listing.stdout().lines().toList()) {
                    List<String> tokens = tokenize(line);
                    if (tokens.size() > 2 && tokens.get(0).equals("-A") && tokens.get(1).equals("PREROUTING") && ours(tokens)) {
                        List<String> del = new ArrayList<>(List.of("-t", rule.table(), "-D"));
                        del.addAll(tokens.subList(1, tokens.size()));
                        f.ipt.runOrThrow(del);
                    }
                }
            }
            if (f.ipt.run(f.tableArgs("-S", chain())).ok()) {
                f.ipt.runOrThrow(f.tableArgs("-F", chain()));
                f.ipt.runOrThrow(f.tableArgs("-X", chain()));
            }
        }
    }

    private boolean ours(List<String> tokens) {
        boolean tagged = false;
        boolean target = false;
        for (int i = 0; i + 1 < tokens.size(); i++) {
            String t = tokens.get(i);
            String next = tokens.get(i + 1);
            if (t.equals("--comment") && next.equals(COMMENT)) {
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
