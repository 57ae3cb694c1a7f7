package dev.pmtud.core;

import java.util.Objects;

/**
 * What the runtime decided about one packet: {@link Outcome#INVALID invalid} (with the decoder's
 * reason), {@link Outcome#DROPPED dropped} by a filter (with its label and its reason) or
 * {@link Outcome#FORWARDED forwarded} to every sink. The outcome is its own field, never read from
 * a label, so a filter named {@code forwarded} that drops is a drop.
 *
 * <p>Preallocated like verdicts: the runtime creates each pipeline's invalid and drop decisions
 * with their counters (one per reason, per filter) and hands a {@link DecisionListener} the same
 * instance for every packet decided alike.
 *
 * @param outcome what happened
 * @param filter  the label of the filter that dropped the packet (a loop guard's is
 *                {@code <sink name>-loop-guard}); {@code null} unless dropped
 * @param reason  the invalid reason ({@link dev.pmtud.api.InvalidReason}) or the drop reason;
 *                {@code null} when forwarded
 */
public record Decision(Outcome outcome, String filter, String reason) {

    /** The three ways a packet leaves the runtime. */
    public enum Outcome {
        INVALID, DROPPED, FORWARDED
    }

    /** Handed to every sink. */
    public static final Decision FORWARDED = new Decision(Outcome.FORWARDED, null, null);

    public Decision {
        Objects.requireNonNull(outcome, "outcome");
        if ((outcome == Outcome.DROPPED) != (filter != null)) {
            throw new IllegalArgumentException("a drop, and only a drop, names its filter: " + outcome + ", " + filter);
        }
        if ((outcome == Outcome.FORWARDED) != (reason == null)) {
            throw new IllegalArgumentException("every decision but forwarded has a reason: " + outcome + ", " + reason);
        }
    }

    /** The decoder refused the packet, for {@code reason} (one of {@link dev.pmtud.api.InvalidReason}). */
    public static Decision invalid(String reason) {
        return new Decision(Outcome.INVALID, null, reason);
    }

    /** The filter labelled {@code filter} dropped the packet, for {@code reason}. */
    public static Decision dropped(String filter, String reason) {
        return new Decision(Outcome.DROPPED, filter, reason);
    }

    /** {@code forwarded}, {@code invalid: not-icmp}, {@code dropped by dedup: duplicate}. */
    @Override
    public String toString() {
        switch (outcome) {
            case INVALID: return "invalid: " + reason;
            case DROPPED: return "dropped by " + filter + ": " + reason;
            default: return "forwarded";
        }
    }
}
