package dev.pmtud.app.rules;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Metrics;
import dev.pmtud.core.PipelineConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Owns the capture rule, as go-pmtud's newest version does, instead of an initContainer and a
 * preStop hook:
 * <pre>
 * rules:
 *   manage: true                        # install at start, remove at stop (default false: CLI only)
 *   interface: eth0                     # default: the interface of the default route
 *   exclude-sources: [192.168.100.0/24] # default: the exclude-networks filters' networks
 *   table: raw                          # chain PREROUTING (raw or mangle)
 * </pre>
 * It installs the seed's rule and its ip6tables twin, tagged {@code -m comment --comment pmtud}:
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
 *
 * <p>Thread-safe; {@link #startWatch} re-adds rules someone deleted.
 */
public final class RuleManager implements AutoCloseable {
    static final String COMMENT = "pmtud";
    /** Every key of the {@code rules:} block (docs/configuration.md is checked against it). */
    public static final Set<String> KEYS = Set.of("manage", "interface", "exclude-sources", "table");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@+-]{1,15}");
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.rules");

    private final boolean manage;
    private final String configuredInterface;
    private final List<Cidr> excluded;
    private final String table;
    private final int group;
    private final boolean ipv4;
    private final boolean ipv6;
    private final Iptables iptables;
    private final Iptables ip6tables;
    private final List<String> prefix;

    private ScheduledExecutorService watch;
    private String resolvedInterface;

    RuleManager(boolean manage, String iface, List<Cidr> excluded, String table, int group, boolean ipv4, boolean ipv6,
                String iptablesBinary, String ip6tablesBinary, List<String> commandPrefix) {
        this.manage = manage;
        this.configuredInterface = iface;
        this.excluded = List.copyOf(excluded);
        this.table = table;
        this.group = group;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.prefix = List.copyOf(commandPrefix);
        this.iptables = new Iptables(iptablesBinary, commandPrefix);
        this.ip6tables = new Iptables(ip6tablesBinary, commandPrefix);
    }

    /**
     * Reads and validates the {@code rules:} block of a configuration. Empty when there is none.
     * The NFLOG group (and families) come from the configuration's nflog source.
     *
     * @throws ConfigException naming file:line for any mistake
     */
    public static Optional<RuleManager> fromConfig(ConfigNode root) {
        ConfigNode node = root.get("rules");
        if (node == null || node.kind() == ConfigNode.Kind.NULL) {
            return Optional.empty();
        }
        ComponentConfig rules = new ComponentConfig(node, "rules");
        if (node.get("type") != null) {
            throw node.get("type").error("rules: unknown key 'type'; allowed: " + String.join(", ", new java.util.TreeSet<>(KEYS)));
        }
        rules.checkKeys(KEYS);
        boolean manage = rules.bool("manage", false);
        String iface = null;
        if (rules.has("interface")) {
            iface = rules.string("interface").trim();
            if (!INTERFACE.matcher(iface).matches()) {
                throw rules.error("interface", "is '" + iface + "'; it must be an interface name of 1 to 15 letters, digits or _.:@+- (like eth0)");
            }
        }
        String table = rules.oneOf("table", "raw", "raw", "mangle");
        List<Cidr> excluded = rules.has("exclude-sources") ? rules.networks("exclude-sources") : excludeNetworksFilters(root);

        List<int[]> nflog = new ArrayList<>(); // {group, ipv4, ipv6}
        // The nflog sources of every pipeline (the top level's sources: in the single-pipeline form).
        for (PipelineConfig pipeline : PipelineConfig.read(root)) {
            List<ConfigNode> sources = pipeline.items("sources");
            for (int i = 0; i < sources.size(); i++) {
                ConfigNode s = sources.get(i);
                ConfigNode type = s.get("type");
                if (s.isMap() && type != null && "nflog".equals(type.text())) {
                    ComponentConfig c = new ComponentConfig(s, pipeline.what("sources", i) + " (nflog)");
                    int g = c.integer("group", 33, 0, 65535);
                    boolean v4 = true;
                    boolean v6 = true;
                    if (c.has("families")) {
                        List<String> f = c.strings("families");
                        v4 = f.contains("ipv4");
                        v6 = f.contains("ipv6");
                    }
                    nflog.add(new int[] {g, v4 ? 1 : 0, v6 ? 1 : 0});
                }
            }
        }
        if (nflog.isEmpty()) {
            throw node.error("rules: the rule logs to an NFLOG group, but no source has type nflog; add "
                    + "{ type: nflog, group: 33 } to sources (or remove the rules block)");
        }
        for (int[] n : nflog) {
            if (n[0] != nflog.get(0)[0]) {
                throw node.error("rules: nflog sources use groups " + nflog.get(0)[0] + " and " + n[0]
                        + "; pmtud manages the rule for one group, so use one nflog source");
            }
        }
        int[] n = nflog.get(0);
        return Optional.of(new RuleManager(manage, iface, excluded, table, n[0], n[1] == 1, n[2] == 1,
                Iptables.detect("iptables"), Iptables.detect("ip6tables"), List.of()));
    }

    /** Every exclude-networks filter's networks, of every pipeline. */
    private static List<Cidr> excludeNetworksFilters(ConfigNode root) {
        List<Cidr> out = new ArrayList<>();
        for (PipelineConfig pipeline : PipelineConfig.read(root)) {
            List<ConfigNode> filters = pipeline.items("filters");
            for (int i = 0; i < filters.size(); i++) {
                ConfigNode f = filters.get(i);
                ConfigNode type = f.get("type");
                if (f.isMap() && type != null && "exclude-networks".equals(type.text())) {
                    for (Cidr c : new ComponentConfig(f, pipeline.what("filters", i) + " (exclude-networks)").networks("networks")) {
                        if (!out.contains(c)) {
                            out.add(c);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The same rules run by other means: every command goes through {@code prefix} (e.g. ip netns exec NS). */
    RuleManager withCommandPrefix(List<String> commandPrefix, String iptablesBinary, String ip6tablesBinary) {
        return new RuleManager(manage, configuredInterface, excluded, table, group, ipv4, ipv6,
                iptablesBinary, ip6tablesBinary, commandPrefix);
    }

    /** Whether the daemon installs the rules at start and removes them at stop. */
    public boolean managed() {
        return manage;
    }

    public int group() {
        return group;
    }

    public String table() {
        return table;
    }

    public List<Cidr> excludedSources() {
        return excluded;
    }

    /** The {@code rules.interface} written in the configuration; empty when the default route's is meant. */
    public Optional<String> configuredInterface() {
        return Optional.ofNullable(configuredInterface);
    }

    /**
     * The interface the rule is bound to ({@code -i}): {@code rules.interface}, else the default
     * route's, looked up once.
     *
     * @throws RuleException when none is configured and there is no default route
     */
    public String interfaceName() {
        return iface();
    }

    /** The chain used when one family excludes several networks. */
    public String chain() {
        return "PMTUD-" + group;
    }

    // ---- rule specs ----

    private final class Family {
        final Iptables ipt;
        final boolean v6;
        final List<Cidr> nets = new ArrayList<>();

        Family(Iptables ipt, boolean v6) {
            this.ipt = ipt;
            this.v6 = v6;
            for (Cidr c : excluded) {
                if ((c.addressLength() == 16) == v6) {
                    nets.add(c);
                }
            }
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
                a.addAll(List.of("-j", "NFLOG", "--nflog-group", String.valueOf(group)));
            }
            return a;
        }

        List<List<String>> chainRules() {
            List<List<String>> rules = new ArrayList<>();
            for (Cidr c : nets) {
                rules.add(List.of("-s", text(c), "-m", "comment", "--comment", COMMENT, "-j", "RETURN"));
            }
            rules.add(List.of("-m", "comment", "--comment", COMMENT, "-j", "NFLOG", "--nflog-group", String.valueOf(group)));
            return rules;
        }

        List<String> args(String op, String chainName, List<String> spec) {
            List<String> a = new ArrayList<>(List.of("-t", table, op, chainName));
            a.addAll(spec);
            return a;
        }

        List<String> tableArgs(String... rest) {
            List<String> a = new ArrayList<>(List.of("-t", table));
            a.addAll(List.of(rest));
            return a;
        }
    }

    private List<Family> families() {
        List<Family> f = new ArrayList<>();
        if (ipv4) {
            f.add(new Family(iptables, false));
        }
        if (ipv6) {
            f.add(new Family(ip6tables, true));
        }
        return f;
    }

    private synchronized String iface() {
        if (configuredInterface != null) {
            return configuredInterface;
        }
        if (resolvedInterface == null) {
            resolvedInterface = defaultRouteInterface();
        }
        return resolvedInterface;
    }

    private String defaultRouteInterface() {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("ip", "-o", "route", "show", "default"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(10, TimeUnit.SECONDS);
            String[] t = out.trim().split("\\s+");
            for (int i = 0; i + 1 < t.length; i++) {
                if (t[i].equals("dev")) {
                    return t[i + 1];
                }
            }
        } catch (java.io.IOException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new RuleException("rules: no interface given and no default route to take it from; set rules.interface (like eth0)");
    }

    // ---- actions ----

    /**
     * The commands an action runs, as a user would type them: {@code print} and {@code ensure}
     * give the commands that install the rules, {@code remove} the ones that delete them.
     */
    public List<String> commands(String action) {
        List<String> out = new ArrayList<>();
        String iface = iface();
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

    /** Installs whatever is missing. */
    public void ensure() {
        ensureCounting();
    }

    /** @return how many rules had to be added */
    synchronized int ensureCounting() {
        int added = 0;
        String iface = iface();
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

    /** Deletes pmtud's rules for this group (whatever interface or networks they were made for) and its chain. */
    public synchronized void remove() {
        for (Family f : families()) {
            Iptables.Result listing = f.ipt.run(f.tableArgs("-S", "PREROUTING"));
            if (listing.ok()) {
                for (String line : listing.stdout().lines().toList()) {
                    List<String> tokens = tokenize(line);
                    if (tokens.size() > 2 && tokens.get(0).equals("-A") && tokens.get(1).equals("PREROUTING") && ours(tokens)) {
                        List<String> del = new ArrayList<>(List.of("-t", table, "-D"));
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
            } else if (t.equals("--nflog-group") && next.equals(String.valueOf(group))) {
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

    /**
     * Checks every {@code every} that the rules are in place and re-adds what someone deleted,
     * counting each re-added rule in {@code pmtud_rules_restored_total}. Failures are logged and
     * retried at the next check.
     */
    public synchronized void startWatch(Duration every, Metrics metrics) {
        if (watch != null) {
            return;
        }
        Metrics.Counter restored = metrics.counter("pmtud_rules_restored_total",
                "iptables rules pmtud re-added after they were deleted while it ran");
        watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pmtud-rules-watch");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, every.toMillis());
        watch.scheduleWithFixedDelay(() -> {
            try {
                int added = ensureCounting();
                if (added > 0) {
                    restored.add(added);
                    LOG.log(System.Logger.Level.WARNING, "re-added " + added + " iptables rule(s) for NFLOG group "
                            + group + " that had been deleted");
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "checking the iptables rules failed: " + e.getMessage());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Stops the watch; removes the rules when {@code manage} is on. */
    @Override
    public void close() {
        ScheduledExecutorService w;
        synchronized (this) {
            w = watch;
            watch = null;
        }
        if (w != null) {
            w.shutdownNow();
            try {
                w.awaitTermination(35, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (manage) {
            remove();
        }
    }

    @Override
    public String toString() {
        return "rules(group " + group + ", table " + table + ", exclude " + excluded + ")";
    }
}
