package dev.pmtud.app.rules;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.NflogGroup;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Owns the capture rule, as go-pmtud's newest version does, instead of an initContainer and a
 * preStop hook, configured by the {@code rules:} block ({@link RuleSettings}) and the runtime it
 * feeds ({@link #forRuntime}). What is captured ({@link CaptureRule}) and the policy around it live
 * here: which interface, install at start and re-add when deleted ({@link #startWatch}), remove at
 * stop, {@code pmtud rules print|ensure|remove}. How it is written into the kernel is a {@link RuleBackend}'s:
 * {@link NftablesBackend} (a table {@code inet pmtud} over netlink) or {@link IptablesBackend}
 * (iptables/ip6tables commands). {@code auto} asks the kernel for nf_tables once, at first use.
 *
 * <p>Thread-safe; {@link #startWatch} re-adds rules someone deleted.
 */
public final class RuleManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.rules");

    private final boolean manage;
    private final String configuredInterface;
    private final CaptureRule rule;
    private final RuleSettings.Backend choice;
    private final List<String> prefix;

    private ScheduledExecutorService watch;
    private String resolvedInterface;
    private RuleBackend backend;

    RuleManager(boolean manage, String iface, CaptureRule rule, RuleSettings.Backend choice, List<String> commandPrefix) {
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
     * The capture rule of a built runtime: the {@code rules:} block's settings, logging to the NFLOG
     * group its sources read ({@link dev.pmtud.api.Source#nflogGroup()}, whatever their type) for the
     * families they take, and skipping {@code exclude-sources}, else the cluster's networks
     * ({@link NodeRuntime#clusterNetworks()}).
     *
     * @throws dev.pmtud.api.ConfigException at the {@code rules:} block when no source reads an
     *                                       NFLOG group, or sources read different ones
     */
    public static RuleManager forRuntime(RuleSettings settings, NodeRuntime runtime) {
        ConfigNode node = settings.block();
        Integer group = null;
        String first = null;
        boolean v4 = false;
        boolean v6 = false;
        for (Pipeline p : runtime.pipelines()) {
            for (Map.Entry<String, NflogGroup> e : p.nflogGroups().entrySet()) {
                String source = (runtime.pipelines().size() > 1 ? "pipeline " + p.name() + ", " : "") + "source " + e.getKey();
                NflogGroup g = e.getValue();
                if (group != null && group != g.group()) {
                    throw node.error("rules: the sources read NFLOG groups " + group + " (" + first + ") and " + g.group()
                            + " (" + source + "); pmtud manages the rule for one group, so use one nflog source");
                }
                if (group == null) {
                    group = g.group();
                    first = source;
                }
                v4 |= g.ipv4();
                v6 |= g.ipv6();
            }
        }
        if (group == null) {
            throw node.error("rules: the rule logs to an NFLOG group, but no source has type nflog; add "
                    + "{ type: nflog, group: 33 } to sources (or remove the rules block)");
        }
        List<Cidr> excluded = settings.excludeSources().orElse(runtime.clusterNetworks());
        CaptureRule rule = new CaptureRule(group, v4, v6, excluded, settings.table());
        return new RuleManager(settings.manage(), settings.interfaceName().orElse(null), rule, settings.backend(), List.of());
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
            RuleSettings.Backend b = choice == RuleSettings.Backend.AUTO ? BackendProbe.choose() : choice;
            backend = b == RuleSettings.Backend.NFTABLES ? new NftablesBackend(rule, dev.pmtud.sys.nftables.NftClient::open)
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
        stopWatch();
        if (manage) {
            remove();
        }
    }

    /** Stops the watch and leaves the rules in place (a reload hands them to the next manager). */
    public void stopWatch() {
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
    }

    @Override
    public String toString() {
        return "rules(" + backendName() + ", group " + rule.group() + ", table " + rule.table() + ", exclude " + rule.excluded() + ")";
    }
}
