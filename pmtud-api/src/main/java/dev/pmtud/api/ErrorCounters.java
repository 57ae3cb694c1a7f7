package dev.pmtud.api;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The series of one counter metric that differ only in an error label ({@code errno="EHOSTUNREACH"},
 * {@code errno="no-mac"}): each series is created with its first error (an error path), then found
 * again without allocating, by the error's number or by a reason that is no number.
 * <pre>
 *   ErrorCounters errors = new ErrorCounters(metrics, "pmtud_inject_errors_total", "...", "errno", Errno::name, "sink", name);
 *   errors.of(errno).increment();
 * </pre>
 * Not thread-safe: one sending thread uses it (the runtime serialises calls into a sink).
 */
public final class ErrorCounters {
    private final Metrics metrics;
    private final String name;
    private final String help;
    private final IntFunction<String> codeNames;
    private final String[] tags;
    private final Metrics.Counter total;
    private int[] codes = new int[0];
    private Metrics.Counter[] byCode = new Metrics.Counter[0];
    private String[] reasons = new String[0];
    private Metrics.Counter[] byReason = new Metrics.Counter[0];

    /**
     * @param label     the error label's key ({@code errno})
     * @param codeNames the label value of an error number ({@code 113} to {@code EHOSTUNREACH})
     * @param tags      the other tags, key/value pairs
     */
    public ErrorCounters(Metrics metrics, String name, String help, String label, IntFunction<String> codeNames, String... tags) {
        this(metrics, null, name, help, label, codeNames, tags);
    }

    /**
     * Like {@link #ErrorCounters(Metrics, String, String, String, IntFunction, String...)}, every
     * series also counting into {@code total}: a series that exists at zero from the start (made by
     * the caller), so that {@code rate()} sees the first burst of errors, which a series created by
     * that burst cannot show.
     */
    public ErrorCounters(Metrics metrics, Metrics.Counter total, String name, String help, String label,
                         IntFunction<String> codeNames, String... tags) {
        this.total = total;
        this.metrics = metrics;
        this.name = name;
        this.help = help;
        this.codeNames = codeNames;
        this.tags = Arrays.copyOf(tags, tags.length + 2);
        this.tags[tags.length] = label;
    }

    /** The counter of error number {@code code}, labelled with its name. */
    public Metrics.Counter of(int code) {
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == code) {
                return byCode[i];
            }
        }
        Metrics.Counter c = create(codeNames.apply(code));
        codes = append(codes, code);
        byCode = append(byCode, c);
        return c;
    }

    /** The counter of an error that has no number, labelled {@code reason} (pass a constant: it is compared by identity first). */
    public Metrics.Counter of(String reason) {
        for (int i = 0; i < reasons.length; i++) {
            if (reasons[i] == reason || reasons[i].equals(reason)) {
                return byReason[i];
            }
        }
        Metrics.Counter c = create(reason);
        reasons = append(reasons, reason);
        byReason = append(byReason, c);
        return c;
    }

    private Metrics.Counter create(String labelValue) {
        String[] t = tags.clone();
        t[t.length - 1] = labelValue;
        Metrics.Counter own = metrics.counter(name, help, t);
        return total == null ? own : new Metrics.Counter() { // the two never disagree
            @Override
            public void increment() {
                own.increment();
                total.increment();
            }

            @Override
            public void add(long amount) {
                own.add(amount);
                total.add(amount);
            }

            @Override
            public long count() {
                return own.count();
            }
        };
    }

    private static int[] append(int[] a, int v) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }

    private static <T> T[] append(T[] a, T v) {
        T[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }
}
