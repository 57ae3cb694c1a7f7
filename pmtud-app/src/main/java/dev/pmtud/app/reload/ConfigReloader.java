package dev.pmtud.app.reload;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.Metrics;
import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.StartupException;
import dev.pmtud.app.config.ConfigErrorReport;
import dev.pmtud.app.rules.ManagedRuleCheck;
import dev.pmtud.app.rules.RuleException;
import dev.pmtud.app.rules.RuleManager;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.NodeRuntimeBuilder;
import dev.pmtud.core.ReloadReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One daemon's reloads of its configuration file (SIGHUP, {@code --watch-config}): the file read
 * and the whole new configuration built and checked first (a mistake is logged as {@code pmtud
 * validate} prints it, with the line quoted, and nothing running changes), then the running
 * runtime turned into it ({@link dev.pmtud.core.RuntimeReload}) and the capture rule made to
 * follow ({@link DaemonRule}). Each attempt is counted in {@code pmtud_config_reloads_total{result}}:
 * {@code ok}, {@code invalid} (refused, nothing changed) or {@code failed} (applied, but a
 * component could not open or the rule could not follow: see the log).
 */
public final class ConfigReloader {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.Daemon");
    /** The values of the {@code result} label. */
    public static final List<String> RESULTS = List.of("ok", "invalid", "failed");

    private final Bootstrap boot;
    private final Path file;
    private final Consumer<NodeRuntimeBuilder> customize;
    private final NodeRuntime runtime;
    private final DaemonRule rule;
    private final Map<String, Metrics.Counter> results;
    private Runnable afterApply = () -> { };

    /**
     * @param file      the configuration file, read again on every reload; {@code null} when the
     *                  configuration came from command-line flags (nothing to reload)
     * @param customize what the daemon adds to every build (its meter registry, its decision listener)
     * @param metrics   node-level metrics, where the results are counted (each at zero from the start)
     */
    public ConfigReloader(Bootstrap boot, Path file, Consumer<NodeRuntimeBuilder> customize, NodeRuntime runtime, DaemonRule rule,
                          Metrics metrics) {
        this.boot = boot;
        this.file = file;
        this.customize = customize;
        this.runtime = runtime;
        this.rule = rule;
        Map<String, Metrics.Counter> counters = new java.util.LinkedHashMap<>();
        for (String result : RESULTS) {
            counters.put(result, metrics.counter("pmtud_config_reloads_total",
                    "Configuration reloads (SIGHUP, --watch-config) by result: ok, invalid (refused, nothing changed), failed (see the log)",
                    "result", result));
        }
        this.results = Map.copyOf(counters);
    }

    /** Runs {@code action} after each reload applied (what the daemon derives from the pipelines, like go-pmtud's metrics). */
    public void afterEachApply(Runnable action) {
        this.afterApply = action;
    }

    /**
     * Reloads the file now, on the calling thread (the daemon's run loop: never while it starts or stops).
     *
     * @param why what asked for it, for the log ({@code SIGHUP}, {@code a change of FILE})
     * @return the result counted: ok, invalid or failed
     */
    public String reload(String why) {
        if (file == null) {
            LOG.log(System.Logger.Level.WARNING, why + " received: nothing to reload, the configuration comes from"
                    + " command-line flags (go-pmtud's) and the environment; restart pmtud to change it, or run"
                    + " pmtud run --config FILE (pmtud config-from-flags prints the file these flags make)");
            return count("invalid");
        }
        LOG.log(System.Logger.Level.INFO, why + ": reloading " + file);
        Bootstrap.Prepared prepared;
        try {
            prepared = boot.prepareReload(runtime, boot.loadConfig(file), customize);
        } catch (ConfigException e) {
            refused(ConfigErrorReport.describe(e));
            return count("invalid");
        }
        RuleManager rules = prepared.rules().orElse(null);
        try {
            ManagedRuleCheck.checkConfigured(rules, prepared.reload().next());
            ManagedRuleCheck.checkAtStart(rules, prepared.reload().next());
        } catch (ConfigException e) {
            prepared.reload().discard();
            refused(ConfigErrorReport.describe(e));
            return count("invalid");
        } catch (StartupException e) {
            prepared.reload().discard();
            refused(e.getMessage());
            return count("invalid");
        }
        ReloadReport report = prepared.reload().apply();
        afterApply.run();
        boolean ok = report.ok();
        if (rule.changes(rules) && rules != null && rules.managed() && !holdsGroup(rules.group())) {
            // The new rule's group is not ours: its source did not open (most likely another process has the group bound).
            // A rule is its group holder's to write, so this one is not installed and another instance's is never replaced.
            ok = false;
            LOG.log(System.Logger.Level.ERROR, "reload: the capture rule stays as it was: no source of this pmtud holds NFLOG group "
                    + rules.group() + " (see the failure above), and the rules for a group are its holder's to change;"
                    + " fix the source and reload again");
        } else {
            try {
                rule.follow(rules);
            } catch (RuleException e) {
                ok = false;
                LOG.log(System.Logger.Level.ERROR, "reload: the capture rule could not follow: " + e.getMessage()
                        + "; the previous rule stays in place");
            }
        }
        LOG.log(ok ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "configuration " + (ok ? "reloaded" : "reloaded with failures")
                + " from " + file + ": " + report.summary());
        return count(ok ? "ok" : "failed");
    }

    private boolean holdsGroup(int group) {
        return runtime.pipelines().stream().anyMatch(p -> p.holdsNflogGroup(group));
    }

    /** The mistake as validate prints it, a line per log record; the running configuration stays. */
    private void refused(String description) {
        LOG.log(System.Logger.Level.ERROR, "reload refused, the running configuration stays: " + description.lines().findFirst().orElse(""));
        description.lines().skip(1).forEach(line -> LOG.log(System.Logger.Level.ERROR, line));
    }

    private String count(String result) {
        results.get(result).increment();
        return result;
    }
}
