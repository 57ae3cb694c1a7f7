package dev.pmtud.core;

import dev.pmtud.api.Metrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The plugins' {@link Metrics} facade bound to Micrometer. Every meter gets the {@code node} tag, so
 * that series from all nodes can be told apart once scraped into one place; a pipeline's view
 * ({@link #forPipeline}) adds the {@code pipeline} tag, so that two pipelines' components never
 * share a series.
 */
public final class MicrometerMetrics implements Metrics {
    private final MeterRegistry registry;
    /** Tags every meter gets unless the caller sets the same key: node, and pipeline in a pipeline's view. */
    private final List<Tag> base;
    private final List<Object> strongRefs;

    public MicrometerMetrics(MeterRegistry registry, String node) {
        this(registry, List.of(Tag.of("node", node)), new CopyOnWriteArrayList<>());
    }

    private MicrometerMetrics(MeterRegistry registry, List<Tag> base, List<Object> strongRefs) {
        this.registry = registry;
        this.base = List.copyOf(base);
        this.strongRefs = strongRefs;
    }

    /** The same registry, with every meter also tagged {@code pipeline=<pipeline>}. */
    public MicrometerMetrics forPipeline(String pipeline) {
        List<Tag> tags = new ArrayList<>(base);
        tags.add(Tag.of("pipeline", pipeline));
        return new MicrometerMetrics(registry, tags, strongRefs);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The given tags plus {@code node} (and {@code pipeline} in a pipeline's view) unless the caller set them. */
    public Tags tags(String... tagKeysAndValues) {
        if (tagKeysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("tags come in key, value pairs; got an odd count: " + List.of(tagKeysAndValues));
        }
        List<Tag> tags = new ArrayList<>(tagKeysAndValues.length / 2 + base.size());
        for (int i = 0; i < tagKeysAndValues.length; i += 2) {
            tags.add(Tag.of(tagKeysAndValues[i], tagKeysAndValues[i + 1]));
        }
        for (Tag b : base) {
            if (tags.stream().noneMatch(t -> t.getKey().equals(b.getKey()))) {
                tags.add(b);
            }
        }
        return Tags.of(tags);
    }

    @Override
    public Counter counter(String name, String help, String... tagKeysAndValues) {
        io.micrometer.core.instrument.Counter c = io.micrometer.core.instrument.Counter.builder(name)
                .description(help).tags(tags(tagKeysAndValues)).register(registry);
        return new MicrometerCounter(c);
    }

    @Override
    public void gauge(String name, String help, Supplier<Number> value, String... tagKeysAndValues) {
        Gauge.builder(name, value, s -> toDouble(s.get())).description(help).tags(tags(tagKeysAndValues))
                .strongReference(true).register(registry);
    }

    @Override
    public void functionCounter(String name, String help, Supplier<Number> value, String... tagKeysAndValues) {
        // Micrometer holds a function counter's state object weakly; a lambda registered by a
        // plugin has no other owner, so keep it reachable for as long as the metrics are.
        FunctionCounter.builder(name, value, s -> toDouble(s.get())).description(help).tags(tags(tagKeysAndValues))
                .register(registry);
        strongRefs.add(value);
    }

    private static double toDouble(Number n) {
        return n == null ? Double.NaN : n.doubleValue();
    }

    /** A Micrometer counter seen through the plugin facade; counts whole events. */
    private static final class MicrometerCounter implements Counter {
        private final io.micrometer.core.instrument.Counter counter;

        MicrometerCounter(io.micrometer.core.instrument.Counter counter) {
            this.counter = counter;
        }

        @Override
        public void increment() {
            counter.increment();
        }

        @Override
        public void add(long amount) {
            counter.increment(amount);
        }

        @Override
        public long count() {
            return (long) counter.count();
        }
    }
}
