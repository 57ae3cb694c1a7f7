package dev.pmtud.core;

import dev.pmtud.api.Metrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The plugins' {@link Metrics} facade bound to Micrometer. Every meter gets the {@code node} tag, so
 * that series from all nodes can be told apart once scraped into one place; a pipeline's view
 * ({@link #forPipeline}) adds the {@code pipeline} tag, so that two pipelines' components never
 * share a series.
 *
 * <p>Each view records what it registers in its own {@link MeterLedger}: the runtime gives every
 * component a view of its own ({@link #forComponent()}), so that a reload can remove exactly the
 * series of the components it removes. A view made for a reload's build ({@link #staged}) defers
 * what would rebind a running component's series ({@link ReloadStaging}).
 */
public final class MicrometerMetrics implements Metrics {
    private final MeterRegistry registry;
    /** Tags every meter gets unless the caller sets the same key: node, and pipeline in a pipeline's view. */
    private final List<Tag> base;
    private final MeterLedger ledger;
    /** Non-null in the views of a reload's build. */
    private final ReloadStaging staging;

    public MicrometerMetrics(MeterRegistry registry, String node) {
        this(registry, List.of(Tag.of("node", node)), new MeterLedger(), null);
    }

    private MicrometerMetrics(MeterRegistry registry, List<Tag> base, MeterLedger ledger, ReloadStaging staging) {
        this.registry = registry;
        this.base = List.copyOf(base);
        this.ledger = ledger;
        this.staging = staging;
    }

    /** The same registry, with every meter also tagged {@code pipeline=<pipeline>} (and a ledger of its own). */
    public MicrometerMetrics forPipeline(String pipeline) {
        List<Tag> tags = new ArrayList<>(base);
        tags.add(Tag.of("pipeline", pipeline));
        return new MicrometerMetrics(registry, tags, new MeterLedger(), staging);
    }

    /** The same tags, with a ledger of its own: one component's series. */
    MicrometerMetrics forComponent() {
        return new MicrometerMetrics(registry, base, new MeterLedger(), staging);
    }

    /** The same tags, for the build of a reload: what it registers is staged. */
    MicrometerMetrics staged(ReloadStaging reload) {
        return new MicrometerMetrics(registry, base, new MeterLedger(), reload);
    }

    MeterLedger ledger() {
        return ledger;
    }

    /** The reload this view was made for, or {@code null}. */
    ReloadStaging staging() {
        return staging;
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
        Tags tags = tags(tagKeysAndValues);
        io.micrometer.core.instrument.Counter c = shared(name, tags,
                () -> io.micrometer.core.instrument.Counter.builder(name).description(help).tags(tags).register(registry));
        return new MicrometerCounter(c);
    }

    /** A timer with these service-level buckets (a handful of fixed boundaries, not a percentile histogram). */
    Timer timer(String name, String help, Duration[] buckets) {
        Tags tags = tags();
        return shared(name, tags, () -> Timer.builder(name).description(help).tags(tags).serviceLevelObjectives(buckets).register(registry));
    }

    @Override
    public void gauge(String name, String help, Supplier<Number> value, String... tagKeysAndValues) {
        Tags tags = tags(tagKeysAndValues);
        bound(name, help, tags, Meter.Type.GAUGE, value, () -> Gauge.builder(name, value, s -> toDouble(s.get())).description(help)
                .tags(tags).strongReference(true).register(registry));
    }

    @Override
    public void functionCounter(String name, String help, Supplier<Number> value, String... tagKeysAndValues) {
        Tags tags = tags(tagKeysAndValues);
        // Micrometer holds a function counter's state object weakly; a lambda registered by a
        // plugin has no other owner, so the ledger keeps it reachable for as long as its owner lives.
        bound(name, help, tags, Meter.Type.COUNTER, value, () -> FunctionCounter.builder(name, value, s -> toDouble(s.get()))
                .description(help).tags(tags).register(registry));
    }

    /** A meter whose series is shared with a running one of the same id (a counter, a timer): registered now. */
    private <M extends Meter> M shared(String name, Tags tags, Supplier<M> register) {
        boolean staged = staging != null && staging.open();
        boolean existed = staged && exists(name, tags);
        M meter = register.get();
        ledger.recorded(meter.getId());
        if (staged && !existed) {
            staging.created(meter.getId());
        }
        return meter;
    }

    /**
     * A meter bound to this component's state (a gauge, a function counter): registered now, unless
     * a reload is being prepared and the series exists, bound to the running component; then at the commit.
     */
    private void bound(String name, String help, Tags tags, Meter.Type type, Object state, Supplier<? extends Meter> register) {
        ledger.keep(state);
        boolean staged = staging != null && staging.open();
        if (staged && exists(name, tags)) {
            ledger.defer(new Meter.Id(name, tags, null, help, type), () -> ledger.recorded(register.get().getId()));
            return;
        }
        Meter meter = register.get();
        ledger.recorded(meter.getId());
        if (staged) {
            staging.created(meter.getId());
        }
    }

    private boolean exists(String name, Tags tags) {
        for (Meter m : registry.find(name).tags(tags).meters()) {
            if (Tags.of(m.getId().getTags()).equals(tags)) {
                return true;
            }
        }
        return false;
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
