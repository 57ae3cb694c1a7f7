package dev.pmtud.core;

import dev.pmtud.api.InvalidReason;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What happens to each packet, run to completion on the source's thread: decode, loop guards and
 * filters in order, then every sink. One lock around filters and sinks, so plugins need none.
 *
 * <p>One per pipeline for the daemon's life: a reload installs the new chain and sinks
 * ({@link #install}) under the same lock, so each packet is handled entirely by the configuration
 * before or entirely by the one after, and the sources keep handing packets to this object.
 */
final class PacketPath {
    /** A filter threw (it must not): counted as its drop so that the packet is still accounted for. */
    static final String FILTER_FAILED = "filter-failed";
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    /**
     * Service-level buckets of {@code pmtud_processing_seconds}: a handful of fixed boundaries, not a
     * percentile histogram (whose ~70 buckets made recording the hottest Java frame of the path).
     */
    static final Duration[] PROCESSING_BUCKETS = {
            Duration.ofNanos(1_000), Duration.ofNanos(10_000), Duration.ofNanos(100_000),
            Duration.ofMillis(1), Duration.ofMillis(10)};

    private final String pipeline;
    /** The chain, for summaries and labels; replaced with the arrays. */
    private volatile List<FilterStage> filters;
    // Arrays, looped over by index: an iterator per packet would be garbage under C1 (no escape analysis).
    // Guarded by the lock: read and replaced only while holding it.
    private FilterStage[] filterArray;
    private SinkStage[] sinkArray;
    private final DecisionListener listener;
    private final Metrics metrics;
    /** What one invalid reason counts and reports. */
    private record Invalid(Metrics.Counter counter, Decision decision) {
    }

    private final Map<String, Invalid> invalidByReason = new ConcurrentHashMap<>();
    private final Metrics.Counter forwardedCounter;
    private final Timer processing;
    private final LongAdder invalid = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final RateLimitedLog filterErrors = new RateLimitedLog(LOG, ERROR_LOG_INTERVAL_NANOS);
    private volatile boolean sinksClosed;

    /** @param metrics the pipeline's metrics (tagged with its name) */
    PacketPath(String pipeline, List<FilterStage> filters, List<SinkStage> sinks, DecisionListener listener,
               MicrometerMetrics metrics) {
        this.pipeline = pipeline;
        this.filters = List.copyOf(filters);
        this.filterArray = this.filters.toArray(FilterStage[]::new);
        this.sinkArray = List.copyOf(sinks).toArray(SinkStage[]::new);
        this.listener = listener;
        this.metrics = metrics;
        for (String reason : InvalidReason.ALL) {
            invalidReason(reason);
        }
        this.forwardedCounter = metrics.counter("pmtud_forwarded_total", "Packets handed to the sinks");
        this.processing = metrics.timer("pmtud_processing_seconds",
                "Time from handing a packet to the runtime until every sink returned", PROCESSING_BUCKETS);
    }

    /**
     * From the next packet on, this chain and these sinks. The caller holds {@link #lock()}, so no
     * packet is between filters and sinks while they change.
     */
    void install(List<FilterStage> chain, List<SinkStage> sinks) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("install() needs the pipeline's lock");
        }
        filters = List.copyOf(chain);
        filterArray = filters.toArray(FilterStage[]::new);
        sinkArray = List.copyOf(sinks).toArray(SinkStage[]::new);
    }

    void process(Packet packet) {
        long start = System.nanoTime();
        try {
            if (!packet.decode()) {
                invalid(packet);
                return;
            }
            lock.lock();
            try {
                filterAndSend(packet);
            } finally {
                lock.unlock();
            }
        } finally {
            processing.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private void invalid(Packet packet) {
        String reason = packet.invalidReason();
        Invalid counted = invalidReason(reason);
        invalid.increment();
        counted.counter().increment();
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "drop: invalid: " + reason + ": " + packet.length() + " bytes, "
                    + packet.linkType());
        }
        if (listener != null) {
            lock.lock();
            try {
                listener.decided(pipeline, packet, counted.decision());
            } finally {
                lock.unlock();
            }
        }
    }

    private void filterAndSend(Packet packet) {
        FilterStage[] stages = filterArray;
        for (int i = 0; i < stages.length; i++) {
            FilterStage stage = stages[i];
            Verdict v;
            try {
                v = stage.filter().apply(packet);
            } catch (RuntimeException e) {
                filterErrors.warn("filter " + stage.label() + " failed (dropping the packet)", e);
                v = null;
            }
            if (v == null || v.isDrop()) {
                String reason = v == null ? FILTER_FAILED : v.reason();
                Decision decision = stage.countDrop(reason);
                if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    LOG.log(System.Logger.Level.DEBUG, "drop: " + stage.label() + ": " + reason + ": " + packet.describe());
                }
                if (listener != null) {
                    listener.decided(pipeline, packet, decision);
                }
                return;
            }
        }
        forwarded.increment();
        forwardedCounter.increment();
        if (!sinksClosed) {
            SinkStage[] all = sinkArray;
            for (int i = 0; i < all.length; i++) {
                all[i].send(packet);
            }
        }
        if (listener != null) {
            listener.decided(pipeline, packet, Decision.FORWARDED);
        }
    }

    private Invalid invalidReason(String reason) {
        Invalid i = invalidByReason.get(reason);
        if (i == null) { // only while the constructor fills the map: every reason is in InvalidReason.ALL
            i = invalidByReason.computeIfAbsent(reason, r -> new Invalid(metrics.counter("pmtud_invalid_total",
                    "Packets the decoder refused, by reason", "reason", r), Decision.invalid(r)));
        }
        return i;
    }

    ReentrantLock lock() {
        return lock;
    }

    /** From now on forwarded packets are counted but no longer handed to the (closed) sinks. */
    void sinksClosed() {
        sinksClosed = true;
    }

    List<FilterStage> filters() {
        return filters;
    }

    long invalid() {
        return invalid.sum();
    }

    long forwarded() {
        return forwarded.sum();
    }
}
