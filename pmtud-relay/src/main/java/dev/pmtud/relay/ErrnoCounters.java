package dev.pmtud.relay;

import dev.pmtud.api.Metrics;
import dev.pmtud.sys.Errno;
import java.util.Arrays;

/**
 * One counter per errno of one metric, with fixed other tags: a series appears with its first
 * failure (an error path) and is looked up without allocating afterwards.
 */
final class ErrnoCounters {
    private final Metrics metrics;
    private final String name;
    private final String help;
    private final String[] tags;
    private int[] errnos = new int[0];
    private Metrics.Counter[] counters = new Metrics.Counter[0];

    /** @param tags the other tags, key/value pairs; {@code errno} is added */
    ErrnoCounters(Metrics metrics, String name, String help, String... tags) {
        this.metrics = metrics;
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
        Metrics.Counter c = metrics.counter(name, help, t);
        errnos = Arrays.copyOf(errnos, errnos.length + 1);
        counters = Arrays.copyOf(counters, counters.length + 1);
        errnos[errnos.length - 1] = errno;
        counters[counters.length - 1] = c;
        return c;
    }
}
