package dev.pmtud.app;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.app.gopmtud.GoPmtudMetrics;
import dev.pmtud.app.http.Meters;
import dev.pmtud.app.http.StatusServer;
import dev.pmtud.app.reload.ConfigReloader;
import dev.pmtud.app.reload.ConfigWatcher;
import dev.pmtud.app.reload.DaemonRule;
import dev.pmtud.app.rules.ManagedRuleCheck;
import dev.pmtud.app.rules.RuleException;
import dev.pmtud.app.rules.RuleManager;
import dev.pmtud.core.DecisionListener;
import dev.pmtud.core.MicrometerMetrics;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.NodeRuntimeBuilder;
import dev.pmtud.core.NodeSettings;
import dev.pmtud.core.Pipeline;
import dev.pmtud.core.PipelineConfig;
import dev.pmtud.sys.LibraryPages;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One run of the daemon: build, serve metrics, start, wait for a stop signal (or for every source to
 * end) while reloading the configuration when asked (SIGHUP, {@code --watch-config}), stop. Shared
 * by {@code run} and the go-pmtud drop-in mode, which differ only in where the configuration tree
 * comes from (the drop-in's says {@code metrics: { go-pmtud: true, health-listen: ... }} and has no
 * file to reload: a SIGHUP there is refused with that reason).
 */
public final class Daemon {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.Daemon");
    private static final Duration POLL = Duration.ofMillis(100);

    private final Bootstrap boot;
    private final ConfigNode root;
    private final boolean decisions;
    private Path file;
    private ConfigWatcher watcher;
    private volatile boolean started;

    public Daemon(Bootstrap boot, ConfigNode root, boolean decisions) {
        this.boot = boot;
        this.root = root;
        this.decisions = decisions;
    }

    /**
     * The file {@code root} was read from, read again on every reload; with a {@code watcher}, also
     * reloaded when it changes ({@code --watch-config}; started once the daemon runs).
     */
    public Daemon reloadingFrom(Path file, ConfigWatcher watcher) {
        this.file = file;
        this.watcher = watcher;
        return this;
    }

    public int run() throws InterruptedException {
        Cli cli = boot.cli();
        PrometheusMeterRegistry meters = Meters.create();
        NodeSettings declared = NodeSettings.from(root);
        // Made before the build, so that the decisions of the first packets count too.
        GoPmtudMetrics go = declared.goPmtudMetrics() ? new GoPmtudMetrics(meters, declared.nodeName()) : null;
        DecisionListener print = decisions ? new DecisionPrinter(cli.out(), PipelineConfig.read(root).size() > 1)::decided : null;
        DecisionListener decided = go == null ? print : print == null ? go : (pipeline, packet, decision) -> {
            go.decided(pipeline, packet, decision);
            print.decided(pipeline, packet, decision);
        };
        // Every build, the first and each reload's, gets the same registry and listener.
        Consumer<NodeRuntimeBuilder> customize = builder -> {
            builder.meterRegistry(meters);
            if (decided != null) {
                builder.onDecision(decided);
            }
        };
        Bootstrap.Built built = boot.build(root, customize);
        NodeRuntime runtime = built.runtime();
        RuleManager rules = built.rules().orElse(null);
        try {
            // Before anything is installed: a refused start must not touch rules another instance may own.
            ManagedRuleCheck.checkConfigured(rules, runtime);
            ManagedRuleCheck.checkAtStart(rules, runtime);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        for (String note : runtime.notes()) {
            LOG.log(System.Logger.Level.INFO, "note: " + note);
        }
        NodeSettings settings = runtime.settings();
        MicrometerMetrics nodeMetrics = new MicrometerMetrics(meters, settings.nodeName());
        DaemonRule rule = new DaemonRule(nodeMetrics);
        ConfigReloader reloader = new ConfigReloader(boot, file, customize, runtime, rule, nodeMetrics);
        if (go != null) {
            Runnable injecting = () -> go.injectingPipelines(runtime.pipelines().stream().filter(p -> !p.injectDevices().isEmpty())
                    .map(Pipeline::name).toList());
            injecting.run();
            reloader.afterEachApply(injecting); // a reload may add or remove an inject sink
        }
        StatusServer http = null;
        StatusServer health = null;
        try {
            // Before start(): a probe during a slow start (peers, sockets) sees alive but not ready.
            BooleanSupplier alive = () -> !started || runtime.ready();
            Supplier<List<String>> unready = () -> unready(runtime);
            if (settings.metricsEnabled()) {
                Supplier<String> text = go == null ? meters::scrape : () -> meters.scrape() + go.exposition();
                http = StatusServer.start(settings.metricsListen(), text, alive, unready);
                LOG.log(System.Logger.Level.INFO, "metrics on http://" + StatusServer.show(http.address()) + "/metrics"
                        + (go == null ? "" : ", with go-pmtud's series"));
            }
            if (settings.healthListen() != null) {
                health = StatusServer.startHealth(settings.healthListen(), alive, unready);
                LOG.log(System.Logger.Level.INFO, "health probes on http://" + StatusServer.show(health.address()) + "/healthz and /readyz");
            }
            try {
                runtime.start();
            } catch (IOException e) {
                throw new StartupException(e.getMessage(), e);
            }
            // Only now: the rule captures for an NFLOG group, and start() has bound that group, which the kernel lets
            // one socket do. So no other pmtud uses a rule for it: install() replaces what a predecessor left, and at
            // stop this run removes only its own; a start refused earlier (a port or the group taken by a running
            // pmtud) never touches that one's rule.
            try {
                rule.install(rules);
            } catch (RuleException e) {
                throw new StartupException(e.getMessage(), e);
            }
            releaseJvmPages(); // before ready: what /readyz reports ready is the daemon's steady footprint
            started = true;
            cli.stop().acceptReloads();
            if (watcher != null) {
                watcher.start();
                LOG.log(System.Logger.Level.INFO, "watching " + file + " for changes (--watch-config)");
            }
            waitForStop(cli.stop(), runtime, reloader);
        } finally {
            if (watcher != null) {
                watcher.close();
            }
            // While the group is still bound: until then no other pmtud can own a rule for it.
            rule.close();
            runtime.close();
            if (http != null) {
                http.close();
            }
            if (health != null) {
                health.close();
            }
            meters.close();
        }
        boolean several = runtime.pipelines().size() > 1;
        for (Pipeline p : runtime.pipelines()) {
            LOG.log(System.Logger.Level.INFO, (several ? "pipeline " + p.name() + " " : "") + SummaryJson.text(p.summary()));
        }
        return Main.OK;
    }

    /**
     * Once running: reclaims the pages of libjvm.so and lib/modules the kernel mapped whole as
     * page-cache folios of up to 2 MiB ({@link LibraryPages}: 5-8 MiB of resident memory on ext4
     * with large folios, for code the JVM no longer runs). Off with
     * {@code -Dpmtud.release-jvm-pages=false}; a kernel that refuses costs nothing but the pages.
     */
    private static void releaseJvmPages() {
        if (!Boolean.parseBoolean(System.getProperty("pmtud.release-jvm-pages", "true"))) {
            return;
        }
        try {
            long t0 = System.nanoTime();
            LibraryPages.Released r = LibraryPages.release(path -> path.endsWith("/libjvm.so") || path.endsWith("/lib/modules"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LOG.log(r.kibGivenBack() >= 1024 ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
                    () -> String.format("reclaimed %.1f of %.1f MiB resident in the JVM's mapped files (libjvm.so, lib/modules;"
                            + " %d mappings, %d ms); the pages still in use come back one at a time",
                            r.kibGivenBack() / 1024.0, r.residentKibBefore() / 1024.0, r.mappings(), ms));
        } catch (IOException | RuntimeException e) { // NativeException is an IOException
            LOG.log(System.Logger.Level.INFO, "the JVM's mapped files stay resident: " + e.getMessage());
        }
    }

    /** What {@code /readyz} answers with: empty when ready, else one line per problem (a failing sink names itself). */
    private List<String> unready(NodeRuntime runtime) {
        if (!started) {
            return List.of("not ready: starting (peers, sinks, sources and the capture rule)");
        }
        List<String> problems = runtime.problems();
        return problems.isEmpty() && !runtime.ready() ? List.of("not ready: stopping") : problems;
    }

    /** Runs reloads as they are asked for, until a stop signal or the end of every source. */
    private static void waitForStop(StopSignal stop, NodeRuntime runtime, ConfigReloader reloader) throws InterruptedException {
        while (!stop.triggered()) {
            String reload = stop.takeReload();
            if (reload != null) {
                reloader.reload(reload);
                continue;
            }
            if (runtime.awaitSources(Duration.ZERO)) {
                LOG.log(System.Logger.Level.INFO, "every source has ended; stopping");
                return;
            }
            stop.awaitRequest(POLL);
        }
        LOG.log(System.Logger.Level.INFO, stop.reason() + " received; stopping");
    }
}
