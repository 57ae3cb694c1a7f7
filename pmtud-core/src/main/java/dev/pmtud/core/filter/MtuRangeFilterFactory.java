package dev.pmtud.core.filter;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PipelineContext;
import java.util.Set;

/** {@code { type: mtu-range, min: 68, max: 9216 }}, both inclusive. */
public final class MtuRangeFilterFactory implements FilterFactory {
    /** The largest value an IPv4 next-hop MTU field (16 bits) can hold. */
    static final long IPV4_MAX_MTU = 0xffff;
    /** ICMPv6's MTU field is 32 bits. */
    static final long IPV6_MAX_MTU = 0xffff_ffffL;

    @Override
    public String type() {
        return "mtu-range";
    }

    @Override
    public String description() {
        return "drops messages whose next-hop MTU is below min or above max (inclusive bounds)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("min", "max");
    }

    @Override
    public Filter create(ComponentConfig config, PipelineContext context) {
        long min = config.integer("min", 68L, 0L, IPV6_MAX_MTU);
        long max = config.integer("max", 9216L, 0L, IPV6_MAX_MTU);
        if (min > max) {
            throw config.error("min", "is " + min + ", above max " + max + "; make min <= max");
        }
        if (min > IPV4_MAX_MTU) {
            // An IPv4 MTU field cannot hold more than 65535, so every IPv4 message would be dropped.
            throw config.error("min", "is " + min + " but IPv4 messages carry at most " + IPV4_MAX_MTU
                    + ", so all of them would be dropped; lower min to at most " + IPV4_MAX_MTU);
        }
        return new MtuRangeFilter(min, max);
    }
}
