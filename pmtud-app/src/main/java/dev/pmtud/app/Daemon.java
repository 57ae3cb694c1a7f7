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
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One run of the daemon: build, serve metrics, start, wait for a stop signal (or for every source to
 * end) while reloading the configuration when asked (SIGHUP, {@code --watch-config}), stop. Shared
 * by {@code run} and the go-pmtud drop-in mode, which differ only in where the configuration tree
 * comes from (the drop-in has no file to reload).
 */
public final class Daemon {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.Daemon");
    private static final Duration POLL = Duration.ofMillis(100);

    private final Bootstrap boot;
    private final ConfigNode root;
    private final boolean decisions;
    private boolean goPmtudMetrics;
    private Path file;
    private ConfigWatcher watcher;
    private volatile boolean started;

    public Daemon(Bootstrap boot, ConfigNode root, boolean decisions) {
        this.boot = boot;
        this.root = root;
        this.decisions = decisions;
    }

    /** Also exports go-pmtud's metric names (drop-in mode). */
    public Daemon withGoPmtudMetrics() {
        this.goPmtudMetrics = true;
        return this;
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
        DecisionListener listener = decisions ? new DecisionPrinter(cli.out(), PipelineConfig.read(root).size() > 1)::decided : null;
        if (goPmtudMetrics) {
            // Bound before the build, so that it sees every per-peer meter the sinks create.
            GoPmtudMetrics go = GoPmtudMetrics.bind(meters, NodeSettings.from(root).nodeName());
            DecisionListener print = listener;
            listener = (pipeline, packet, decision) -> {
                go.processed(packet.timestampNanos());
                if (print != null) {
                    print.decided(pipeline, packet, decision);
                }
            };
        }
        DecisionListener decided = listener;
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
        StatusServer http = null;
        try {
            if (settings.metricsEnabled()) {
                // Before start(): a probe during a slow start (peers, sockets) sees alive but not ready.
                http = StatusServer.start(settings.metricsListen(), meters, () -> !started || runtime.ready(), () -> started && runtime.ready());
                LOG.log(System.Logger.Level.INFO, "metrics on http://" + StatusServer.show(http.address()) + "/metrics");
            }
            try {
                runtime.start();
            } catch (IOException e) {
                throw new StartupException(e.getMessage(), e);
            }
            // Only now: the rule captures for an NFLOG group, and start() has bound that group, which the kernel lets
            // one socket do. So no other pmtud uses this rule, and removing it at stop takes nothing from anyone;
            // a start refused earlier (a port or the group taken by a running pmtud) never touches that one's rule.
            try {
                rule.install(rules);
            } catch (RuleException e) {
                throw new StartupException(e.getMessage(), e);
            }
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
            runtime.close();
            rule.close();
            if (http != null) {
                http.close();
            }
            meters.close();
        }
        boolean several = runtime.pipelines().size() > 1;
        for (Pipeline p : runtime.pipelines()) {
            LOG.log(System.Logger.Level.INFO, (several ? "pipeline " + p.name() + " " : "") + SummaryJson.text(p.summary()));
        }
        return Main.OK;
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
