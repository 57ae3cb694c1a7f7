package dev.pmtud.core.filter;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Rate;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: rate-limit, per-source: 1/s, burst: 2, total: 100/s, total-burst: 100, max-sources: 16384,
 * prefix-v4: 24, prefix-v6: 48, known-sources: 4096, known-for: 10m }}; {@code total} is optional and
 * {@code total-burst} defaults to the total rate's per-second count (at least 1). The keys after
 * {@code max-sources} say how the total is shared ({@link RateLimitFilter}) and need {@code total}.
 */
public final class RateLimitFilterFactory implements FilterFactory {
    static final int MAX_SOURCES_LIMIT = 1 << 24;
    /**
     * 16,384 sources and as many prefixes (~2 MiB of heap once a flood has filled them: the tables
     * start at 1,024 and grow with use; 65,536 would cost 6 MiB more of the 64 MiB footprint target
     * under such a flood, docs/performance.md). Enough under a flood too: a
     * source the table holds is never forgotten for the flood's sake ({@link BucketTable}'s hand
     * forgets full, idle buckets first), so the 10,000 forged sources leave every router's
     * bucket and prefix share in place (FairAdmissionTest runs with this default).
     */
    static final int DEFAULT_MAX_SOURCES = 16384;
    /** The keys that only mean something with a total budget to share. */
    private static final List<String> SHARING_KEYS = List.of("total-burst", "prefix-v4", "prefix-v6", "known-sources", "known-for");

    @Override
    public String type() {
        return "rate-limit";
    }

    @Override
    public String description() {
        return "token buckets per outer source address (like cloudflare/pmtud's hashlimit) and optionally a total,"
                + " shared fairly: routers known from calm times first, then equal shares per source prefix";
    }

    @Override
    public Set<String> keys() {
        return Set.of("per-source", "burst", "total", "total-burst", "max-sources", "prefix-v4", "prefix-v6", "known-sources",
                "known-for");
    }

    @Override
    public Filter create(ComponentConfig config, PipelineContext context) {
        Rate perSource = config.rate("per-source", Rate.perSecond(1));
        long burst = config.integer("burst", 2L, 1L, 1_000_000_000L);
        Rate total = config.rate("total", null);
        if (total == null) {
            for (String key : SHARING_KEYS) {
                if (config.has(key)) {
                    throw config.error(key, "needs a total rate to share; add total: 100/s or remove " + key);
                }
            }
        }
        int maxSources = config.integer("max-sources", DEFAULT_MAX_SOURCES, 1, MAX_SOURCES_LIMIT);
        RateLimitFilter.Sharing sharing = RateLimitFilter.Sharing.NONE;
        if (total != null) {
            long totalBurst = config.integer("total-burst", Math.max(1L, (long) Math.floor(total.perSecond())), 1L, 1_000_000_000L);
            int bits4 = config.integer("prefix-v4", 24, 8, 32);
            int bits6 = config.integer("prefix-v6", 48, 16, 128);
            int knownSources = config.integer("known-sources", 4096, 0, MAX_SOURCES_LIMIT);
            Duration knownFor = config.duration("known-for", Duration.ofMinutes(10));
            if (knownFor.isZero() || knownFor.isNegative()) {
                throw config.error("known-for", "must be longer than zero, like 10m; to remember no routers, set known-sources: 0");
            }
            sharing = new RateLimitFilter.Sharing(total.perSecond(), totalBurst, bits4, bits6, knownSources, knownFor.toNanos());
        }
        RateLimitFilter filter = new RateLimitFilter(perSource.perSecond(), burst, sharing, maxSources);
        String name = config.string("name", type());
        context.metrics().gauge("pmtud_rate_limit_sources", "Sources the rate-limit table tracks", filter::size, "filter", name);
        context.metrics().functionCounter("pmtud_rate_limit_evictions_total",
                "Sources forgotten because the rate-limit table was full (raise max-sources)",
                filter::evictions, "filter", name);
        context.metrics().gauge("pmtud_rate_limit_prefixes", "Source prefixes whose share of the total the rate-limit filter tracks",
                filter::prefixes, "filter", name);
        context.metrics().gauge("pmtud_rate_limit_known_sources",
                "Routers the rate-limit filter remembers from calm times (served first under a flood)", filter::knownSources,
                "filter", name);
        return filter;
    }
}
