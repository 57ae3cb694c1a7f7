package dev.pmtud.relay;

import dev.pmtud.api.Metrics;
import dev.pmtud.sys.Errno;
import java.util.Arrays;

/**
 * One counter per errno of one metric, with fixed other tags: a series appears with its first
 * failure (an error path) and is looked up without allocating afterwards. Optionally every errno's
 * counter also counts into one {@code total} that exists from the start, so that {@code rate()} sees
 * a first burst of errors too (an errno's own series only starts with it).
 */
final class ErrnoCounters {
    private final Metrics metrics;
    private final Metrics.Counter total;
    private final String name;
    private final String help;
    private final String[] tags;
    private int[] errnos = new int[0];
    private Metrics.Counter[] counters = new Metrics.Counter[0];

    /** @param tags the other tags, key/value pairs; {@code errno} is added */
    ErrnoCounters(Metrics metrics, String name, String help, String... tags) {
        this(metrics, null, name, help, tags);
    }

    /** @param total counts every error of every errno too (null: none) */
    ErrnoCounters(Metrics metrics, Metrics.Counter total, String name, String help, String... tags) {
        this.metrics = metrics;
        this.total = total;
        this.name = name;
        this.help = help;
        this.tags = Arrays.copyOf(tags, tags.length + 2);
        this.tags[tags.length] = "errno";
    }

    Metrics.Counter of(int errno) {
        for (int i = 0; i < errnos.length; i++) {
            if (errnos[i] == errno) {
                return counters[i];
            }
        }
        String[] t = tags.clone();
        t[t.length - 1] = Errno.name(errno);
        Metrics.Counter own = metrics.counter(name, help, t);
        Metrics.Counter c = total == null ? own : new AlsoCounting(own, total);
        errnos = Arrays.copyOf(errnos, errnos.length + 1);
        counters = Arrays.copyOf(counters, counters.length + 1);
        errnos[errnos.length - 1] = errno;
        counters[counters.length - 1] = c;
        return c;
    }

    /** An errno's counter that also counts into the total: the two can never disagree. */
    private record AlsoCounting(Metrics.Counter own, Metrics.Counter total) implements Metrics.Counter {
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
    }
}
