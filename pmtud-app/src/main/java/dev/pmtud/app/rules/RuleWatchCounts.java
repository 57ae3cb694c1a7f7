package dev.pmtud.app.rules;

import dev.pmtud.api.Metrics;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What {@link RuleWatch} counts ({@code pmtud_rules_restored_total}, {@code pmtud_rules_outages_total{detection}},
 * {@code pmtud_rules_missing_seconds_total}), registered once per daemon: a reload that changes the
 * rule starts a new manager and a new watch, and its outages go on adding to the same series (a
 * function counter registered again would stay bound to the first watch's state).
 */
public final class RuleWatchCounts {
    static final String RESTORED = "pmtud_rules_restored_total";
    static final String OUTAGES = "pmtud_rules_outages_total";
    static final String MISSING_SECONDS = "pmtud_rules_missing_seconds_total";

    final Metrics.Counter restored;
    final Metrics.Counter byNotification;
    final Metrics.Counter byPoll;
    final AtomicLong missingNanos = new AtomicLong();
    /** Held here: a registry may keep a function counter's state only weakly (Micrometer does). */
    private final Supplier<Number> missingSeconds = () -> missingNanos.get() / 1e9;

    public RuleWatchCounts(Metrics metrics) {
        this.restored = metrics.counter(RESTORED, "capture rules (iptables or nftables) pmtud re-added after they were deleted while it ran");
        String outages = "times pmtud found its capture rule deleted (and put it back), by how it noticed: an nf_tables notification at once, or the periodic check";
        this.byNotification = metrics.counter(OUTAGES, outages, "detection", "notification");
        this.byPoll = metrics.counter(OUTAGES, outages, "detection", "poll");
        metrics.functionCounter(MISSING_SECONDS, "seconds pmtud's capture rule was missing, from its deletion being noticed to its return;"
                + " what arrived meanwhile was never logged", missingSeconds);
    }
}
