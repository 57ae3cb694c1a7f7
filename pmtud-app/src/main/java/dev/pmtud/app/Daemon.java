package dev.pmtud.app;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.app.gopmtud.GoPmtudMetrics;
import dev.pmtud.app.http.Meters;
import dev.pmtud.app.http.StatusServer;
import dev.pmtud.app.rules.ManagedRuleCheck;
import dev.pmtud.app.rules.RuleException;
import dev.pmtud.app.rules.RuleManager;
import dev.pmtud.core.DecisionListener;
import dev.pmtud.core.MicrometerMetrics;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.NodeSettings;
import dev.pmtud.core.Pipeline;
import dev.pmtud.core.PipelineConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One run of the daemon: build, serve metrics, start, wait for a stop signal (or for every source to
 * end), stop. Shared by {@code run} and the go-pmtud drop-in mode, which differ only in where the
 * configuration tree comes from (the drop-in's says {@code metrics: { go-pmtud: true, health-listen: ... }}).
 */
public final class Daemon {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.Daemon");
    private static final Duration POLL = Duration.ofMillis(100);
    /** How often a managed rule is checked and re-added if someone deleted it (a deletion nf_tables announces is repaired at once). */
    private static final Duration RULE_WATCH = Duration.ofSeconds(10);

    private final Bootstrap boot;
    private final ConfigNode root;
    private final boolean decisions;
    private volatile boolean started;

    public Daemon(Bootstrap boot, ConfigNode root, boolean decisions) {
        this.boot = boot;
        this.root = root;
        this.decisions = decisions;
    }

    public int run() throws InterruptedException {
        Cli cli = boot.cli();
        boolean several = PipelineConfig.read(root).size() > 1;
        PrometheusMeterRegistry meters = Meters.create();
        NodeSettings declared = NodeSettings.from(root);
        // Made before the build, so that the decisions of the first packets count too.
        GoPmtudMetrics go = declared.goPmtudMetrics() ? new GoPmtudMetrics(meters, declared.nodeName()) : null;
        DecisionListener print = decisions ? new DecisionPrinter(cli.out(), several)::decided : null;
        DecisionListener decided = go == null ? print : print == null ? go : (pipeline, packet, decision) -> {
            go.decided(pipeline, packet, decision);
            print.decided(pipeline, packet, decision);
        };
        Bootstrap.Built built = boot.build(root, builder -> {
            builder.meterRegistry(meters);
            if (decided != null) {
                builder.onDecision(decided);
            }
        });
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
        if (go != null) {
            go.injectingPipelines(runtime.pipelines().stream().filter(p -> !p.injectDevices().isEmpty()).map(Pipeline::name).toList());
        }
        StatusServer http = null;
        StatusServer health = null;
        boolean ownsRule = false;
        try {
            // Before start(): a probe during a slow start (peers, sockets) sees alive but not ready.
            BooleanSupplier alive = () -> !started || runtime.ready();
            BooleanSupplier ready = () -> started && runtime.ready();
            if (settings.metricsEnabled()) {
                Supplier<String> text = go == null ? meters::scrape : () -> meters.scrape() + go.exposition();
                http = StatusServer.start(settings.metricsListen(), text, alive, ready);
                LOG.log(System.Logger.Level.INFO, "metrics on http://" + StatusServer.show(http.address()) + "/metrics"
                        + (go == null ? "" : ", with go-pmtud's series"));
            }
            if (settings.healthListen() != null) {
                health = StatusServer.startHealth(settings.healthListen(), alive, ready);
                LOG.log(System.Logger.Level.INFO, "health probes on http://" + StatusServer.show(health.address()) + "/healthz and /readyz");
            }
            try {
                runtime.start();
            } catch (IOException e) {
                throw new StartupException(e.getMessage(), e);
            }
            if (rules != null && rules.managed()) {
                // Only now: the rule captures for an NFLOG group, and start() has bound that group, which the kernel lets
                // one socket do. So no other pmtud uses a rule for it: install() replaces what a predecessor left, and at
                // stop this run removes only its own; a start refused earlier (a port or the group taken by a running
                // pmtud) never touches that one's rule.
                ownsRule = true;
                try {
                    rules.install();
                } catch (RuleException e) {
                    throw new StartupException(e.getMessage(), e);
                }
                rules.startWatch(RULE_WATCH, new MicrometerMetrics(meters, settings.nodeName()));
                LOG.log(System.Logger.Level.INFO, "capture rule in place: " + rules);
            }
            started = true;
            waitForStop(cli.stop(), runtime);
        } finally {
            if (ownsRule) {
                // While the group is still bound: until then no other pmtud can own a rule for it.
                closeRules(rules);
            }
            runtime.close();
            if (http != null) {
                http.close();
            }
            if (health != null) {
                health.close();
            }
            meters.close();
        }
        for (Pipeline p : runtime.pipelines()) {
            LOG.log(System.Logger.Level.INFO, (several ? "pipeline " + p.name() + " " : "") + SummaryJson.text(p.summary()));
        }
        return Main.OK;
    }

    /** Stops the watch and, when managed, removes the rules; a failure is logged, not fatal, at stop. */
    private static void closeRules(RuleManager rules) {
        try {
            rules.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "removing the capture rule failed: " + e.getMessage()
                    + "; remove them with: pmtud rules remove --config FILE");
        }
    }

    private static void waitForStop(StopSignal stop, NodeRuntime runtime) throws InterruptedException {
        while (!stop.await(POLL)) {
            if (runtime.awaitSources(Duration.ZERO)) {
                LOG.log(System.Logger.Level.INFO, "every source has ended; stopping");
                return;
            }
        }
        LOG.log(System.Logger.Level.INFO, stop.reason() + " received; stopping");
    }
}
