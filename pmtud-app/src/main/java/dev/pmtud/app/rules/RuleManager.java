package dev.pmtud.app.rules;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Metrics;
import dev.pmtud.core.PipelineConfig;
import dev.pmtud.sys.DefaultRoute;
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
 *   backend: auto                       # nftables where the kernel has nf_tables, else iptables
 *   interface: eth0                     # default: the interface of the default route
 *   exclude-sources: [192.168.100.0/24] # default: the exclude-networks filters' networks
 *   table: raw                          # iptables: chain PREROUTING of raw or mangle; nftables: that priority
 * </pre>
 * What is captured ({@link CaptureRule}) and the policy around it live here: which interface,
 * install at start and re-add when deleted ({@link #startWatch}), remove at stop, {@code pmtud rules
 * print|ensure|remove}. How it is written into the kernel is a {@link RuleBackend}'s:
 * {@link NftablesBackend} (a table {@code inet pmtud} over netlink) or {@link IptablesBackend}
 * (iptables/ip6tables commands). {@code auto} asks the kernel for nf_tables once, at first use.
 *
 * <p>Thread-safe; {@link #startWatch} re-adds rules someone deleted.
 */
public final class RuleManager implements AutoCloseable {
    /** Every key of the {@code rules:} block (docs/configuration.md is checked against it). */
    public static final Set<String> KEYS = Set.of("manage", "backend", "interface", "exclude-sources", "table");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@+-]{1,15}");
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.rules");

    /** The {@code backend:} choices. */
    enum Backend { AUTO, NFTABLES, IPTABLES }

    private final boolean manage;
    private final String configuredInterface;
    private final CaptureRule rule;
    private final Backend choice;
    private final List<String> prefix;

    private ScheduledExecutorService watch;
    private String resolvedInterface;
    private RuleBackend backend;

    RuleManager(boolean manage, String iface, CaptureRule rule, Backend choice, List<String> commandPrefix) {
        this.manage = manage;
        this.configuredInterface = iface;
        this.rule = rule;
        this.choice = choice;
        this.prefix = List.copyOf(commandPrefix);
    }

    private RuleManager(RuleManager base, List<String> commandPrefix, RuleBackend backend) {
        this(base.manage, base.configuredInterface, base.rule, base.choice, commandPrefix);
        this.backend = backend;
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
        Backend backend = Backend.valueOf(rules.oneOf("backend", "auto", "auto", "nftables", "iptables").toUpperCase(java.util.Locale.ROOT));
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
        return Optional.of(new RuleManager(manage, iface, new CaptureRule(n[0], n[1] == 1, n[2] == 1, excluded, table), backend, List.of()));
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

    /** The same rules run by other means: every command goes through {@code prefix} (e.g. ip netns exec NS), with iptables. */
    RuleManager withCommandPrefix(List<String> commandPrefix, String iptablesBinary, String ip6tablesBinary) {
        return new RuleManager(this, commandPrefix, new IptablesBackend(rule, iptablesBinary, ip6tablesBinary, commandPrefix));
    }

    /** The same rules with nftables over connections {@code opener} makes (e.g. inside a namespace). */
    RuleManager withNftables(NftablesBackend.Opener opener) {
        return new RuleManager(this, prefix, new NftablesBackend(rule, opener));
    }

    /** Whether the daemon installs the rules at start and removes them at stop. */
    public boolean managed() {
        return manage;
    }

    public int group() {
        return rule.group();
    }

    public String table() {
        return rule.table();
    }

    public List<Cidr> excludedSources() {
        return rule.excluded();
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

    /** {@code "nftables"} or {@code "iptables"}: the configured backend, or what {@code auto} chose. */
    public String backendName() {
        return backend().name();
    }

    private synchronized RuleBackend backend() {
        if (backend == null) {
            Backend b = choice == Backend.AUTO ? BackendProbe.choose() : choice;
            backend = b == Backend.NFTABLES ? new NftablesBackend(rule, dev.pmtud.sys.nftables.NftClient::open)
                    : new IptablesBackend(rule, Iptables.detect("iptables"), Iptables.detect("ip6tables"), prefix);
        }
        return backend;
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
        if (prefix.isEmpty()) {
            String fromKernel = DefaultRoute.interfaceName(); // no ip binary needed (the image has none)
            if (fromKernel != null) {
                return fromKernel;
            }
        }
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
     * What an action does, as a user would type it: {@code print} and {@code ensure} give what
     * installs the rules (iptables commands, or the nft ruleset), {@code remove} what deletes them.
     */
    public List<String> commands(String action) {
        if (!List.of("print", "ensure", "remove").contains(action)) {
            throw new IllegalArgumentException("unknown rules action '" + action + "'; use print, ensure or remove");
        }
        return backend().commands(action, iface());
    }

    /** Installs whatever is missing. */
    public void ensure() {
        ensureCounting();
    }

    /** @return how many rules had to be added */
    synchronized int ensureCounting() {
        return backend().ensure(iface());
    }

    /** Deletes pmtud's rules for this group (whatever interface or networks they were made for), never anyone else's. */
    public synchronized void remove() {
        backend().remove();
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
                "capture rules (iptables or nftables) pmtud re-added after they were deleted while it ran");
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
                    LOG.log(System.Logger.Level.WARNING, "re-added " + added + " " + backend().name() + " rule(s) for NFLOG group "
                            + rule.group() + " that had been deleted");
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "checking the " + backend().name() + " capture rules failed: " + e.getMessage());
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
        return "rules(" + backendName() + ", group " + rule.group() + ", table " + rule.table() + ", exclude " + rule.excluded() + ")";
    }
}
