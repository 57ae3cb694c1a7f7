package dev.pmtud.core;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Health;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Sink;

/** A sink with its counters; a failing send is counted and logged (rate-limited), never propagated. */
final class SinkStage {
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String name;
    private final Sink sink;
    /** The sink's own context (its meters, its peer listeners). */
    private final RuntimeContext context;
    /** What its block says and what it was given; {@code null} for a sink given in code, never kept by a reload. */
    private final String identity;
    /** Its {@link Sink#loopGuard()} in the chain, or {@code null}. */
    private final FilterStage guard;
    private final Metrics.Counter sent;
    private final Metrics.Counter errors;
    private final RateLimitedLog errorLog;
    private volatile boolean opening;

    SinkStage(String name, Sink sink, Metrics metrics, System.Logger logger) {
        this(name, sink, null, null, metrics, logger);
    }

    /** A sink whose meters (its own, its loop guard's and the runtime's for it) are in its own {@code context}. */
    SinkStage(String name, Sink sink, RuntimeContext context, String identity) {
        this(name, sink, context, identity, context.metrics(), context.logger());
    }

    private SinkStage(String name, Sink sink, RuntimeContext context, String identity, Metrics metrics, System.Logger logger) {
        this.name = name;
        this.sink = sink;
        this.context = context;
        this.identity = identity;
        Filter loopGuard = sink.loopGuard();
        this.guard = loopGuard == null ? null : new FilterStage(name + "-loop-guard", loopGuard, metrics);
        this.sent = metrics.counter("pmtud_sink_sent_total", "Packets a sink accepted", "sink", name);
        this.errors = metrics.counter("pmtud_sink_errors_total", "Packets a sink failed to send as a whole", "sink", name);
        this.errorLog = new RateLimitedLog(logger, ERROR_LOG_INTERVAL_NANOS);
        metrics.gauge("pmtud_sink_failing", "1 while the sink says it cannot send (Sink.health(), /readyz), else 0",
                () -> problem() == null ? 0 : 1, "sink", name);
    }

    /** Why the sink says it cannot send ({@link Sink#health()}), or {@code null}; a health() that throws is failing too. */
    String problem() {
        if (!opening) {
            return null;
        }
        try {
            Health h = sink.health();
            return h == null || h.ok() ? null : h.problem();
        } catch (RuntimeException e) {
            return "health() failed: " + e;
        }
    }

    String name() {
        return name;
    }

    Sink sink() {
        return sink;
    }

    RuntimeContext context() {
        return context;
    }

    String identity() {
        return identity;
    }

    /** Its loop guard's stage, or {@code null} when the sink needs none. */
    FilterStage guard() {
        return guard;
    }

    void open() throws java.io.IOException {
        opening = true;
        sink.open();
    }

    /** Whether open() was attempted, so that close() has something to release. */
    boolean opened() {
        return opening;
    }

    /** Called under the pipeline lock. */
    void send(Packet packet) {
        try {
            sink.send(packet);
            sent.increment();
        } catch (Exception e) {
            // One sink's failure must not keep the packet from the others.
            errors.increment();
            errorLog.warn("sink " + name + " failed to send " + packet.describe(), e);
        }
    }
}
