package dev.pmtud.core;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Metrics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A filter in the chain with its label, and per drop reason its counter and its {@link Decision}
 * (created ahead of time for the reasons the filter declares).
 */
final class FilterStage {
    /** What one drop reason of this filter counts and reports. */
    private record Drop(Metrics.Counter counter, Decision decision) {
    }

    private final String label;
    private final Filter filter;
    private final Metrics metrics;
    /** The filter's own context, or {@code null} for a loop guard (its sink's context holds its meters). */
    private final RuntimeContext context;
    /** What its block says and what it was given ({@link ComponentBlock#content()}, the cluster's networks); {@code null}: never kept. */
    private final String identity;
    private final Map<String, Drop> byReason = new HashMap<>();
    private final LongAdder dropped = new LongAdder();

    FilterStage(String label, Filter filter, Metrics metrics) {
        this(label, filter, metrics, null, null);
    }

    /** A configured filter, its meters in its own {@code context}. */
    FilterStage(String label, Filter filter, RuntimeContext context, String identity) {
        this(label, filter, context.metrics(), context, identity);
    }

    private FilterStage(String label, Filter filter, Metrics metrics, RuntimeContext context, String identity) {
        this.label = label;
        this.filter = filter;
        this.metrics = metrics;
        this.context = context;
        this.identity = identity;
        for (String reason : filter.dropReasons()) {
            drop(reason);
        }
    }

    String label() {
        return label;
    }

    Filter filter() {
        return filter;
    }

    RuntimeContext context() {
        return context;
    }

    String identity() {
        return identity;
    }

    /** Counts a drop for {@code reason} and returns its decision. Called under the pipeline lock. */
    Decision countDrop(String reason) {
        dropped.increment();
        Drop d = drop(reason);
        d.counter().increment();
        return d.decision();
    }

    long dropped() {
        return dropped.sum();
    }

    private Drop drop(String reason) {
        Drop d = byReason.get(reason);
        if (d == null) {
            // Only for a reason the filter did not declare in dropReasons(): allocates once.
            d = new Drop(metrics.counter("pmtud_dropped_total", "Packets a filter dropped, by filter and reason",
                    "filter", label, "reason", reason), Decision.dropped(label, reason));
            byReason.put(reason, d);
        }
        return d;
    }
}
