package dev.pmtud.core;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Metrics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** A filter in the chain with its label and drop counters (one per reason, created ahead of time). */
final class FilterStage {
    private final String label;
    private final Filter filter;
    private final Metrics metrics;
    private final Map<String, Metrics.Counter> byReason = new HashMap<>();
    private final LongAdder dropped = new LongAdder();

    FilterStage(String label, Filter filter, Metrics metrics) {
        this.label = label;
        this.filter = filter;
        this.metrics = metrics;
        for (String reason : filter.dropReasons()) {
            counter(reason);
        }
    }

    String label() {
        return label;
    }

    Filter filter() {
        return filter;
    }

    /** Called under the pipeline lock. */
    void countDrop(String reason) {
        dropped.increment();
        counter(reason).increment();
    }

    long dropped() {
        return dropped.sum();
    }

    private Metrics.Counter counter(String reason) {
        Metrics.Counter c = byReason.get(reason);
        if (c == null) {
            // Only for a reason the filter did not declare in dropReasons(): allocates once.
            c = metrics.counter("pmtud_dropped_total", "Packets a filter dropped, by filter and reason",
                    "filter", label, "reason", reason);
            byReason.put(reason, c);
        }
        return c;
    }
}
