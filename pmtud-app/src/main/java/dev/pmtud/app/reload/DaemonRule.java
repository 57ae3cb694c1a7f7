package dev.pmtud.app.reload;

import dev.pmtud.api.Metrics;
import dev.pmtud.app.rules.RuleException;
import dev.pmtud.app.rules.RuleManager;
import dev.pmtud.app.rules.RuleWatchCounts;
import java.time.Duration;

/**
 * The capture rule a running daemon owns ({@code rules.manage}): installed and watched once the
 * sources hold their NFLOG group, changed when a reload changes it (group, families, interface,
 * exclusions, table, backend), removed at stop. Only {@link RuleManager}'s public actions are used:
 * how a rule is written and whose objects are whose is the rules package's business.
 *
 * <p>Every manager is an owner of its own ({@code pmtud <fingerprint> <owner>} in the rule's comment),
 * so a reload's new manager is a new owner. Following a change, the new manager {@link RuleManager#install
 * installs} its rule the way a start does: it holds its group, so it takes over that group's pmtud
 * rules, the previous manager's included (nftables: in the same transaction, no moment without a
 * capture; iptables: its own added first, then the previous deleted). Then the previous manager
 * removes what is left of its own (the old group's rules; nothing when the group stayed), never
 * another owner's. Only a changed {@code rules.table} for the same group removes the old rule first
 * (a chain cannot move to another hook priority): a moment without a capture. If the new rule cannot
 * be installed, its partial rules are removed, the previous one is put back and the reload counts as
 * failed. The watch's series go on across managers ({@link RuleWatchCounts}).
 */
public final class DaemonRule implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.Daemon");
    /** How often a managed rule is checked and re-added if someone deleted it (a deletion nf_tables announces is repaired at once). */
    static final Duration WATCH = Duration.ofSeconds(10);

    private final Metrics metrics;
    private RuleWatchCounts counts;
    private RuleManager rules;
    private boolean owned;

    /** @param metrics node-level metrics, where the watch counts what it restores, the outages and their duration */
    public DaemonRule(Metrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Installs and watches {@code rules} when it is managed; call once the sources hold the group
     * (then no other live pmtud uses a rule for it: what another owner left for it is replaced, and
     * at stop this run removes only its own).
     *
     * @throws RuleException when it cannot be installed
     */
    public void install(RuleManager rules) {
        this.rules = rules;
        if (rules == null || !rules.managed()) {
            return;
        }
        owned = true; // from here on: a failed install still removes what it added, and only that
        rules.install();
        rules.startWatch(WATCH, counts());
        LOG.log(System.Logger.Level.INFO, "capture rule in place: " + rules);
    }

    /** Registered once, when a rule is first managed: every manager's watch counts into the same series. */
    private RuleWatchCounts counts() {
        if (counts == null) {
            counts = new RuleWatchCounts(metrics);
        }
        return counts;
    }

    /** Whether {@link #follow} would change what is installed (false when both write the same rules, or neither is managed). */
    public boolean changes(RuleManager next) {
        boolean now = next != null && next.managed();
        return (owned || now) && !(owned && now && rules.installsSameAs(next));
    }

    /**
     * Turns the installed rule into {@code next}'s (nothing when both write the same rules, or neither is managed).
     *
     * @throws RuleException when the new rule cannot be installed; the previous one is then in place again
     */
    public void follow(RuleManager next) {
        boolean was = owned;
        boolean now = next != null && next.managed();
        if (!changes(next)) {
            if (!was) {
                rules = next; // neither is managed
            } // else both write the same rules: the running manager, its watch included, goes on
            return;
        }
        RuleManager previous = rules;
        if (!now) {
            previous.close(); // stops its watch and removes its own rules: pmtud no longer manages one
            owned = false;
            rules = next;
            LOG.log(System.Logger.Level.INFO, "capture rule removed: rules.manage is off now");
            return;
        }
        if (was) {
            previous.stopWatch();
        }
        try {
            if (was && previous.group() == next.group() && !previous.table().equals(next.table())) {
                previous.close(); // the group's chain cannot change its hook in place
            }
            next.install();
        } catch (RuleException e) {
            removeQuietly(next);
            if (was) {
                restore(previous);
            }
            throw e;
        }
        if (was) {
            removeQuietly(previous); // what is left of its own: the old group's rules; nothing once next took the group's over
        }
        next.startWatch(WATCH, counts());
        rules = next;
        owned = true;
        LOG.log(System.Logger.Level.INFO, "capture rule now: " + next);
    }

    private static void removeQuietly(RuleManager manager) {
        try {
            manager.close();
        } catch (RuleException e) {
            LOG.log(System.Logger.Level.WARNING, "removing the capture rule " + manager + " failed: " + e.getMessage()
                    + "; remove them with: pmtud rules remove --config FILE");
        }
    }

    private void restore(RuleManager previous) {
        try {
            previous.install();
            previous.startWatch(WATCH, counts());
        } catch (RuleException e) {
            LOG.log(System.Logger.Level.ERROR, "putting the previous capture rule back failed too: " + e.getMessage());
        }
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
