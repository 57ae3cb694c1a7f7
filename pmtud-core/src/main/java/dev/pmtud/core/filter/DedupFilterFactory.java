package dev.pmtud.core.filter;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PipelineContext;
import java.time.Duration;
import java.util.Set;

/** {@code { type: dedup, window: 1s, max-entries: 16384 }}. */
public final class DedupFilterFactory implements FilterFactory {
    static final int MAX_ENTRIES_LIMIT = 1 << 24;
    /**
     * 16,384 keys (~1.4 MiB of heap when full; the table starts at 1,024 and grows with use): more distinct flows per
     * window than a node sees outside a flood, where the rate limit behind dedup decides anyway;
     * 65,536 cost 4.3 MiB more of the 64 MiB footprint target and twice the CPU per lookup
     * (docs/performance.md).
     */
    static final int DEFAULT_MAX_ENTRIES = 16384;

    @Override
    public String type() {
        return "dedup";
    }

    @Override
    public String description() {
        return "drops a message identical (ignoring the TCP sequence) to one let through within the window";
    }

    @Override
    public Set<String> keys() {
        return Set.of("window", "max-entries");
    }

    @Override
    public Filter create(ComponentConfig config, PipelineContext context) {
        Duration window = config.duration("window", Duration.ofSeconds(1));
        if (window.isZero() || window.isNegative()) {
            throw config.error("window", "must be longer than zero, like 1s");
        }
        int maxEntries = config.integer("max-entries", DEFAULT_MAX_ENTRIES, 1, MAX_ENTRIES_LIMIT);
        DedupFilter filter = new DedupFilter(window.toNanos(), maxEntries);
        String name = config.string("name", type());
        context.metrics().functionCounter("pmtud_dedup_evictions_total",
                "Dedup keys forgotten inside their window because the table was full (raise max-entries)",
                filter::evictions, "filter", name);
        context.metrics().gauge("pmtud_dedup_entries", "Keys the dedup table holds", filter::size, "filter", name);
        return filter;
    }
}
