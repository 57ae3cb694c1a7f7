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
import java.util.List;

/**
 * One run of the daemon: build, serve metrics, start, wait for a stop signal (or for every source to
 * end), stop. Shared by {@code run} and the go-pmtud drop-in mode, which differ only in where the
 * configuration tree comes from.
 */
public final class Daemon {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.Daemon");
    private static final Duration POLL = Duration.ofMillis(100);
    /** How often a managed rule is checked and re-added if someone deleted it. */
    private static final Duration RULE_WATCH = Duration.ofSeconds(10);

    private final Bootstrap boot;
    private final ConfigNode root;
    private final boolean decisions;
    private boolean goPmtudMetrics;
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

    public int run() throws InterruptedException {
        Cli cli = boot.cli();
        boolean several = PipelineConfig.read(root).size() > 1;
        PrometheusMeterRegistry meters = Meters.create();
        DecisionListener listener = decisions ? new DecisionPrinter(cli.out(), several)::decided : null;
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
        StatusServer http = null;
        boolean ownsRule = false;
        try {
            if (settings.metricsEnabled()) {
                // Before start(): a probe during a slow start (peers, sockets) sees alive but not ready.
                http = StatusServer.start(settings.metricsListen(), meters, () -> !started || runtime.ready(),
                        () -> unready(runtime));
                LOG.log(System.Logger.Level.INFO, "metrics on http://" + StatusServer.show(http.address()) + "/metrics");
            }
            try {
                runtime.start();
            } catch (IOException e) {
                throw new StartupException(e.getMessage(), e);
            }
            if (rules != null && rules.managed()) {
                // Only now: the rule captures for an NFLOG group, and start() has bound that group, which the kernel lets
                // one socket do. So no other pmtud uses this rule, and removing it at stop takes nothing from anyone;
                // a start refused earlier (a port or the group taken by a running pmtud) never touches that one's rule.
                ownsRule = true;
                try {
                    rules.ensure();
                } catch (RuleException e) {
                    throw new StartupException(e.getMessage(), e);
                }
                rules.startWatch(RULE_WATCH, new MicrometerMetrics(meters, settings.nodeName()));
                LOG.log(System.Logger.Level.INFO, "capture rule in place: " + rules);
            }
            started = true;
            waitForStop(cli.stop(), runtime);
        } finally {
            runtime.close();
            if (ownsRule) {
                closeRules(rules);
            }
            if (http != null) {
                http.close();
            }
            meters.close();
        }
        for (Pipeline p : runtime.pipelines()) {
            LOG.log(System.Logger.Level.INFO, (several ? "pipeline " + p.name() + " " : "") + SummaryJson.text(p.summary()));
        }
        return Main.OK;
    }

    /** What {@code /readyz} answers with: empty when ready, else one line per problem (a failing sink names itself). */
    private List<String> unready(NodeRuntime runtime) {
        if (!started) {
            return List.of("not ready: starting (peers, sinks, sources and the capture rule)");
        }
        List<String> problems = runtime.problems();
        return problems.isEmpty() && !runtime.ready() ? List.of("not ready: stopping") : problems;
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
