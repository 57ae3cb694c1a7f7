package dev.pmtud.api;

import java.util.function.Supplier;

/**
 * A small metrics facade so that plugins need no metrics library. The runtime binds it to
 * Micrometer and exposes it on {@code /metrics} in Prometheus format.
 *
 * <p>Names are Prometheus style ({@code pmtud_sent_total}); tags are key/value pairs. Create
 * counters ahead of time (at open, or when a peer appears) and keep them: lookups allocate.
 */
public interface Metrics {

    Counter counter(String name, String help, String... tagKeysAndValues);

    /** A value read when scraped. */
    void gauge(String name, String help, Supplier<Number> value, String... tagKeysAndValues);

    /** A monotonic count kept elsewhere (for example the kernel's), read when scraped. */
    void functionCounter(String name, String help, Supplier<Number> value, String... tagKeysAndValues);

    /** A monotonically increasing count. */
    interface Counter {
        void increment();

        void add(long amount);

        long count();
    }

    /** Discards everything; for tests and tools that need no metrics. */
    Metrics NOOP = new Metrics() {
        @Override
        public Counter counter(String name, String help, String... tags) {
            return new Counter() {
                private long count;

                @Override
                public void increment() {
                    count++;
                }

                @Override
                public void add(long amount) {
                    count += amount;
                }

                @Override
                public long count() {
                    return count;
                }
            };
        }

        @Override
        public void gauge(String name, String help, Supplier<Number> value, String... tags) {
        }

        @Override
        public void functionCounter(String name, String help, Supplier<Number> value, String... tags) {
        }
    };
}
