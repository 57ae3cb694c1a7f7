package dev.pmtud.api;

/**
 * What a component says about itself when asked ({@link Sink#health()}, {@link Source#health()}):
 * doing its job, or not and why, in one line an operator can act on ("interface eth0 is gone since
 * 12:00:01Z; waiting for it to come back"). The runtime reads it for {@code /readyz}, which answers
 * 503 with these lines while any component is failing, and for the {@code pmtud_sink_failing} /
 * {@code pmtud_source_failing} gauges. Immutable.
 */
public final class Health {
    /** Doing its job. */
    public static final Health OK = new Health(null);

    private final String problem;

    private Health(String problem) {
        this.problem = problem;
    }

    /** Not doing its job, for {@code problem} (one line, no trailing period needed). */
    public static Health failing(String problem) {
        if (problem == null || problem.isBlank()) {
            throw new IllegalArgumentException("a failing health needs a reason");
        }
        return new Health(problem.strip());
    }

    public boolean ok() {
        return problem == null;
    }

    /** Why it is failing; {@code null} when {@link #ok()}. */
    public String problem() {
        return problem;
    }

    @Override
    public String toString() {
        return ok() ? "ok" : "failing: " + problem;
    }
}
