package dev.pmtud.app.rules;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.NflogGroup;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.Pipeline;
import dev.pmtud.sys.DefaultRoute;
import dev.pmtud.sys.nftables.NftChange;
import dev.pmtud.sys.nftables.NftMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Owns the capture rule, as go-pmtud's newest version does, instead of an initContainer and a
 * preStop hook, configured by the {@code rules:} block ({@link RuleSettings}) and the runtime it
 * feeds ({@link #forRuntime}). What is captured ({@link CaptureRule}) and the policy around it live
 * here: which interface, install at start ({@link #install}), repair when deleted ({@link #startWatch}:
 * nf_tables notifications, a periodic check as the fallback), remove at stop, {@code pmtud rules
 * print|ensure|remove}. How it is written into the kernel is a {@link RuleBackend}'s:
 * {@link NftablesBackend} (a table {@code inet pmtud} over netlink) or {@link IptablesBackend}
 * (iptables/ip6tables commands). {@code auto} asks the kernel for nf_tables once, at first use.
 *
 * <p>Every rule it writes names its {@link RuleOwner}, one per manager; {@link #close} removes only
 * that owner's. Thread-safe.
 */
public final class RuleManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.rules");

    private final boolean manage;
    private final String configuredInterface;
    private final CaptureRule rule;
    private final RuleSettings.Backend choice;
    private final List<String> prefix;
    private final RuleOwner owner;

    private RuleWatch watch;
    private RuleWatch.Notifications notifications = NftMonitor::open;
    private String resolvedInterface;
    private RuleBackend backend;
    /** Set by {@link #install}: this process holds the group, every pmtud rule for it is this owner's to keep. */
    private boolean takeOver;
    /** The families whose rule this manager had in place after its last check. */
    private Set<Boolean> inPlace = Set.of();

    RuleManager(boolean manage, String iface, CaptureRule rule, RuleSettings.Backend choice, List<String> commandPrefix) {
        this(manage, iface, rule, choice, commandPrefix, RuleOwner.create());
    }

    private RuleManager(boolean manage, String iface, CaptureRule rule, RuleSettings.Backend choice, List<String> commandPrefix,
                        RuleOwner owner) {
        this.manage = manage;
        this.configuredInterface = iface;
        this.rule = rule;
        this.choice = choice;
        this.prefix = List.copyOf(commandPrefix);
        this.owner = owner;
    }

    private RuleManager(RuleManager base, List<String> commandPrefix, RuleBackend backend) {
        this(base.manage, base.configuredInterface, base.rule, base.choice, commandPrefix, base.owner);
        this.backend = backend;
        this.notifications = base.notifications;
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
        return new RuleManager(this, commandPrefix, new IptablesBackend(rule, owner, iptablesBinary, ip6tablesBinary, commandPrefix));
    }

    /** The same rules with nftables over connections {@code opener} makes (e.g. inside a namespace). */
    RuleManager withNftables(NftablesBackend.Opener opener) {
        return new RuleManager(this, prefix, new NftablesBackend(rule, owner, opener));
    }

    /** The watch subscribes to nf_tables notifications through {@code opener} (e.g. inside a namespace). */
    RuleManager withNotifications(RuleWatch.Notifications opener) {
        RuleManager m = new RuleManager(this, prefix, backend);
        m.notifications = opener;
        return m;
    }

    /** Who this manager's rules say added them. */
    RuleOwner owner() {
        return owner;
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
            backend = b == RuleSettings.Backend.NFTABLES ? new NftablesBackend(rule, owner, dev.pmtud.sys.nftables.NftClient::open)
                    : new IptablesBackend(rule, owner, Iptables.detect("iptables"), Iptables.detect("ip6tables"), prefix);
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

    /**
     * Installs whatever is missing ({@code pmtud rules ensure}): a rule another pmtud run added that
     * is the wanted one counts as present.
     */
    public void ensure() {
        ensureCounting();
    }

    /** @return how many rules had to be added */
    synchronized int ensureCounting() {
        return check().addedTotal();
    }

    /**
     * The daemon's install, once its nflog source holds the rule's NFLOG group: the kernel lets one
     * socket bind a group, so no other live pmtud uses a rule for it, and any pmtud rule for it that
     * another owner added is a predecessor's leftover (one that crashed, or one that released the
     * group and removes its rules right after). Those are replaced, not adopted: the
     * comment then names the live owner, and a predecessor's late removal finds nothing of its own to
     * delete. nftables replaces them in the same transaction that adds this owner's, so the capture
     * never lapses.
     *
     * @throws RuleException with one line naming what failed and how to fix it
     */
    public synchronized void install() {
        takeOver = true;
        check();
    }

    /**
     * Ensures the rules and returns what that did; remembers which families are in place, so that
     * {@link #checkRestoring} tells rules someone deleted from ones merely added.
     */
    synchronized Ensured check() {
        Ensured e = backend().ensure(iface(), takeOver);
        inPlace = e.inPlace();
        if (!e.replaced().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "replaced " + e.replaced().size() + " " + backend().name() + " rule(s) for NFLOG group " + rule.group()
                    + " that other pmtud runs had left (" + String.join(", ", e.replaced().stream().distinct().toList()) + ") by this run's (pmtud "
                    + owner + ")");
        }
        return e;
    }

    /**
     * One check of the watch: ensures the rules and returns how many of those this manager had in
     * place it had to add again. A family whose capture another rule took over and gave back (go-pmtud's
     * table deleted) is added but not counted: nothing of pmtud's had gone.
     */
    synchronized int checkRestoring() {
        Set<Boolean> before = inPlace;
        return check().restored(before);
    }

    /** Whether an nf_tables change may concern the rules (see {@link RuleBackend#concerns}). */
    boolean concerns(NftChange change) {
        return backend().concerns(change);
    }

    /** Deletes pmtud's rules for this group, whoever added them ({@code pmtud rules remove}), never anyone else's. */
    public synchronized void remove() {
        backend().remove(true);
    }

    /**
     * Watches the rules while the daemon runs and puts back what someone deleted: at once when nf_tables
     * announces the deletion (the backend's rules are nf_tables objects and the kernel lets pmtud
     * subscribe), else at the check every {@code every}, which runs either way. Counts what it
     * restores, the outages and how long they lasted ({@link RuleWatch}).
     */
    public synchronized void startWatch(Duration every, Metrics metrics) {
        if (watch != null) {
            return;
        }
        watch = new RuleWatch(this, every, metrics, backend().notified() ? notifications : null);
    }

    /** Stops the watch; when {@code manage} is on, removes this manager's rules (no other owner's). */
    @Override
    public void close() {
        RuleWatch w;
        synchronized (this) {
            w = watch;
            watch = null;
        }
        if (w != null) {
            w.close();
        }
        if (manage) {
            synchronized (this) {
                backend().remove(false);
            }
        }
    }

    @Override
    public String toString() {
        return "rules(" + backendName() + ", group " + rule.group() + ", table " + rule.table() + ", exclude " + rule.excluded() + ", owner " + owner + ")";
    }
}
