package dev.pmtud.app.reload;

import dev.pmtud.api.Metrics;
import dev.pmtud.app.rules.RuleException;
import dev.pmtud.app.rules.RuleManager;
import java.time.Duration;
import java.util.List;

/**
 * The capture rule a running daemon owns ({@code rules.manage}): installed and watched once the
 * sources hold their NFLOG group, changed when a reload changes it (group, families, interface,
 * exclusions, table, backend), removed at stop. Only {@link RuleManager}'s public actions are used:
 * how a rule is written and whose objects are whose is the rules package's business.
 *
 * <p>Following a change: a rule for another group is installed before the old one is removed (no
 * moment without a capture); one for the same group replaces it (the old one removed first, since
 * removal takes every rule of that group: a moment of one rule transaction without a capture). If
 * the new rule cannot be installed, the previous one is put back and the reload counts as failed.
 */
public final class DaemonRule implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.Daemon");
    /** How often a managed rule is checked and re-added if someone deleted it. */
    static final Duration WATCH = Duration.ofSeconds(10);

    private final Metrics metrics;
    private RuleManager rules;
    private boolean owned;

    /** @param metrics node-level metrics, where the watch counts what it restores */
    public DaemonRule(Metrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Installs and watches {@code rules} when it is managed; call once the sources hold the group
     * (then no other pmtud uses this rule, and removing it at stop takes nothing from anyone).
     *
     * @throws RuleException when it cannot be installed
     */
    public void install(RuleManager rules) {
        this.rules = rules;
        if (rules == null || !rules.managed()) {
            return;
        }
        owned = true;
        rules.ensure();
        rules.startWatch(WATCH, metrics);
        LOG.log(System.Logger.Level.INFO, "capture rule in place: " + rules);
    }

    /**
     * Turns the installed rule into {@code next}'s (nothing when both are the same, or neither is managed).
     *
     * @throws RuleException when the new rule cannot be installed; the previous one is then in place again
     */
    public void follow(RuleManager next) {
        boolean was = owned;
        boolean now = next != null && next.managed();
        if (!was && !now) {
            rules = next;
            return;
        }
        if (was && now && same(rules, next)) {
            return; // the running manager, its watch included, goes on
        }
        RuleManager previous = rules;
        if (!now) {
            previous.close(); // stops its watch and removes it: pmtud no longer manages a rule
            owned = false;
            rules = next;
            LOG.log(System.Logger.Level.INFO, "capture rule removed: rules.manage is off now");
            return;
        }
        boolean sameGroup = was && previous.group() == next.group();
        if (was) {
            previous.stopWatch();
        }
        try {
            if (sameGroup) {
                previous.remove();
            }
            next.ensure();
        } catch (RuleException e) {
            if (was) {
                restore(previous);
            }
            throw e;
        }
        if (was && !sameGroup) {
            previous.remove();
        }
        next.startWatch(WATCH, metrics);
        rules = next;
        owned = true;
        LOG.log(System.Logger.Level.INFO, "capture rule now: " + next);
    }

    private void restore(RuleManager previous) {
        try {
            previous.ensure();
            previous.startWatch(WATCH, metrics);
        } catch (RuleException e) {
            LOG.log(System.Logger.Level.ERROR, "putting the previous capture rule back failed too: " + e.getMessage());
        }
    }

    /** Whether two managers install the same thing: the same backend and the same commands (group, families, interface, networks, table). */
    private static boolean same(RuleManager a, RuleManager b) {
        return a.backendName().equals(b.backendName()) && commands(a).equals(commands(b));
    }

    private static List<String> commands(RuleManager r) {
        return r.commands("print");
    }

    /** Stops the watch and removes the rule, when this daemon installed one; a failure is logged, not fatal, at stop. */
    @Override
    public void close() {
        if (!owned) {
            return;
        }
        try {
            rules.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "removing the capture rule failed: " + e.getMessage()
                    + "; remove them with: pmtud rules remove --config FILE");
        }
    }
}
