package dev.pmtud.core.filter;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Rate;
import java.util.Set;

/**
 * {@code { type: rate-limit, per-source: 1/s, burst: 2, total: 100/s, total-burst: 100, max-sources: 16384 }};
 * {@code total} is optional and {@code total-burst} defaults to the total rate's per-second count (at least 1).
 */
public final class RateLimitFilterFactory implements FilterFactory {
    static final int MAX_SOURCES_LIMIT = 1 << 24;
    /**
     * 16,384 routers (~0.8 MiB of heap, resident from the start): more routers than send to one
     * node outside a forged flood, in which the total budget decides; 65,536 cost 2.5 MiB more of
     * the 64 MiB footprint target (docs/performance.md).
     */
    static final int DEFAULT_MAX_SOURCES = 16384;

    @Override
    public String type() {
        return "rate-limit";
    }

    @Override
    public String description() {
        return "token buckets per outer source address and optionally in total (like cloudflare/pmtud's hashlimit)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("per-source", "burst", "total", "total-burst", "max-sources");
    }

    @Override
    public Filter create(ComponentConfig config, PipelineContext context) {
        Rate perSource = config.rate("per-source", Rate.perSecond(1));
        long burst = config.integer("burst", 2L, 1L, 1_000_000_000L);
        Rate total = config.rate("total", null);
        if (total == null && config.has("total-burst")) {
            throw config.error("total-burst", "needs a total rate; add total: 100/s or remove total-burst");
        }
        long totalBurst = total == null ? 0
                : config.integer("total-burst", Math.max(1L, (long) Math.floor(total.perSecond())), 1L, 1_000_000_000L);
        int maxSources = config.integer("max-sources", DEFAULT_MAX_SOURCES, 1, MAX_SOURCES_LIMIT);
        RateLimitFilter filter = new RateLimitFilter(perSource.perSecond(), burst,
                total == null ? 0 : total.perSecond(), totalBurst, maxSources);
        String name = config.string("name", type());
        context.metrics().gauge("pmtud_rate_limit_sources", "Sources the rate-limit table tracks", filter::size, "filter", name);
        context.metrics().functionCounter("pmtud_rate_limit_evictions_total",
                "Sources forgotten because the rate-limit table was full (raise max-sources)",
                filter::evictions, "filter", name);
        return filter;
    }
}
