package dev.pmtud.testkit;

import dev.pmtud.api.Metrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Metrics a test can read back. Series are keyed by name and tags, the tags compared regardless of
 * the order they are given in; asking twice for one counter returns the same counter, as the
 * runtime's registry does. Gauges and function counters are kept as their suppliers.
 */
public final class RecordingMetrics implements Metrics {
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Number>> values = new ConcurrentHashMap<>();

    /** {@code name[k1=v1, k2=v2]}, tags sorted: the identity of a series. */
    public static String key(String name, String... tagKeysAndValues) {
        if (tagKeysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("tags come in key/value pairs: " + List.of(tagKeysAndValues));
        }
        List<String> kv = new ArrayList<>();
        for (int i = 0; i < tagKeysAndValues.length; i += 2) {
            kv.add(tagKeysAndValues[i] + "=" + tagKeysAndValues[i + 1]);
        }
        Collections.sort(kv);
        return name + kv;
    }

    /** The counter's count, or -1 when no such counter was created. */
    public long count(String name, String... tagKeysAndValues) {
        Counter c = counters.get(key(name, tagKeysAndValues));
        return c == null ? -1 : c.count();
    }

    /** Whether a component created this counter (at any count). */
    public boolean has(String name, String... tagKeysAndValues) {
        return counters.containsKey(key(name, tagKeysAndValues));
    }

    /** The current value of a gauge or function counter, or {@code null} when none was registered. */
    public Number value(String name, String... tagKeysAndValues) {
        Supplier<Number> s = values.get(key(name, tagKeysAndValues));
        return s == null ? null : s.get();
    }

    /** Every counter's key, sorted; for failure messages. */
    public Set<String> counterKeys() {
        return new TreeSet<>(counters.keySet());
    }

    @Override
    public String toString() {
        return "counters " + counterKeys() + ", values " + new TreeSet<>(values.keySet());
    }

    @Override
    public Counter counter(String name, String help, String... tagKeysAndValues) {
        return counters.computeIfAbsent(key(name, tagKeysAndValues), k -> new AtomicCounter());
    }

    @Override
    public void gauge(String name, String help, Supplier<Number> value, String... tagKeysAndValues) {
        values.put(key(name, tagKeysAndValues), value);
    }

    @Override
    public void functionCounter(String name, String help, Supplier<Number> value, String... tagKeysAndValues) {
        values.put(key(name, tagKeysAndValues), value);
    }

    private static final class AtomicCounter implements Counter {
        private final AtomicLong n = new AtomicLong();

        @Override
        public void increment() {
            n.incrementAndGet();
        }

        @Override
        public void add(long amount) {
            n.addAndGet(amount);
        }

        @Override
        public long count() {
            return n.get();
        }
    }
}
