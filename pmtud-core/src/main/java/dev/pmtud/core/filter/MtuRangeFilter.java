package dev.pmtud.core.filter;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import java.util.Collection;
import java.util.List;

/**
 * Drops messages reporting an implausible next-hop MTU: below {@code min} (RFC 791's 68 for IPv4;
 * a forged tiny MTU would make the kernel send tiny segments) or above {@code max}. Both bounds are
 * inclusive.
 */
public final class MtuRangeFilter implements Filter {
    public static final String BELOW = "mtu-below-min";
    public static final String ABOVE = "mtu-above-max";
    private static final Verdict DROP_BELOW = Verdict.drop(BELOW);
    private static final Verdict DROP_ABOVE = Verdict.drop(ABOVE);

    private final long min;
    private final long max;

    public MtuRangeFilter(long min, long max) {
        if (min < 0 || min > max) {
            throw new IllegalArgumentException("need 0 <= min <= max, got min " + min + " max " + max);
        }
        this.min = min;
        this.max = max;
    }

    @Override
    public Verdict apply(Packet packet) {
        long mtu = packet.nextHopMtu();
        if (mtu < min) {
            return DROP_BELOW;
        }
        if (mtu > max) {
            return DROP_ABOVE;
        }
        return Verdict.PASS;
    }

    @Override
    public Collection<String> dropReasons() {
        return List.of(BELOW, ABOVE);
    }
}
