package dev.pmtud.api;

import java.util.Objects;

/**
 * What a {@link Filter} decided about one packet. A drop always carries a reason, which becomes
 * the {@code reason} label of {@code pmtud_dropped_total} and the text of the debug log line.
 *
 * <p>Create drop verdicts once (as constants or in the filter's constructor) and return the same
 * instance for every packet: the hot path must not allocate.
 */
public final class Verdict {
    /** Let the packet continue to the next filter, and finally to the sinks. */
    public static final Verdict PASS = new Verdict(null);

    private final String reason;

    private Verdict(String reason) {
        this.reason = reason;
    }

    /**
     * A drop with a short, stable, kebab-case reason such as {@code "mtu-below-min"}. The reason is
     * a metric label, so it must come from a small fixed set: never put addresses or numbers in it.
     */
    public static Verdict drop(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (reason.isEmpty()) {
            throw new IllegalArgumentException("a drop needs a reason");
        }
        return new Verdict(reason);
    }

    public boolean isDrop() {
        return reason != null;
    }

    /** The drop reason, or {@code null} for {@link #PASS}. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return reason == null ? "pass" : "drop(" + reason + ")";
    }
}
