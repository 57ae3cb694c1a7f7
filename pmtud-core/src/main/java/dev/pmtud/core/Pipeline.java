package dev.pmtud.core;

import dev.pmtud.api.NflogGroup;
import dev.pmtud.api.PipelineContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One named pipeline of a {@link NodeRuntime}: its sources (one thread each), its loop guards and
 * filters, its sinks, the {@link PacketPath} between them and its counts. It owns nothing shared:
 * the runtime owns the peers, the meter registry and the lifecycle, and drives this class's
 * package-private steps in order (open sinks, open sources, start threads; stop, join, close).
 */
public final class Pipeline {
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    /**
     * Counts since build: {@code received == invalid + sum(dropped) + forwarded} once every packet in
     * flight is done. {@code dropped} is keyed by filter label (loop guards first), in chain order.
     */
    public record Summary(long received, long invalid, Map<String, Long> dropped, long forwarded) {
        public long droppedTotal() {
            return dropped.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final String name;
    private final RuntimeContext context;
    private final PacketPath path;
    // Replaced whole by a reload (on the runtime's lifecycle thread); read from anywhere.
    private volatile List<SourceRunner> sources;
    private volatile List<SinkStage> sinks;
    private volatile List<FilterStage> configuredFilters;
    /** What components a reload removed had counted, so that the summary still adds up. */
    private final Map<String, Long> retiredDropped = new LinkedHashMap<>();
    private long retiredReceived;

    Pipeline(String name, RuntimeContext context, List<SourceRunner> sources, List<SinkStage> sinks,
             List<FilterStage> configuredFilters, PacketPath path) {
        this.name = name;
        this.context = context;
        this.sources = List.copyOf(sources);
        this.sinks = List.copyOf(sinks);
        this.configuredFilters = List.copyOf(configuredFilters);
        this.path = path;
    }

    /** The chain a packet runs through: every sink's loop guard (in sink order), then the configured filters. */
    static List<FilterStage> chain(List<SinkStage> sinks, List<FilterStage> configured) {
        List<FilterStage> chain = new ArrayList<>();
        for (SinkStage s : sinks) {
            if (s.guard() != null) {
                chain.add(s.guard());
            }
        }
        chain.addAll(configured);
        return chain;
    }

    /** The pipeline's name: its {@code name:} under {@code pipelines:}, {@code main} in the single form. */
    public String name() {
        return name;
    }

    /**
     * What its components were given: node and pipeline name, pipeline-tagged metrics, peers,
     * exclusions (each component got a copy whose {@code logger()} is named after it).
     */
    public PipelineContext context() {
        return context;
    }

    /** Source names in configuration order (the {@code source} label). */
    public List<String> sourceNames() {
        return sources.stream().map(SourceRunner::name).toList();
    }

    /** Filter labels in the order they run, loop guards first (the {@code filter} label). */
    public List<String> filterLabels() {
        return path.filters().stream().map(FilterStage::label).toList();
    }

    /** Sink names in configuration order (the {@code sink} label). */
    public List<String> sinkNames() {
        return sinks.stream().map(SinkStage::name).toList();
    }

    /** Every sink's {@link dev.pmtud.api.Sink#notes()}, each as {@code sink NAME: note}. */
    public List<String> notes() {
        List<String> out = new ArrayList<>();
        for (SinkStage s : sinks) {
            for (String note : s.sink().notes()) {
                out.add("sink " + s.name() + ": " + note);
            }
        }
        return out;
    }

    /** The devices this pipeline's sinks inject packets into ({@link dev.pmtud.api.Sink#injectsInto()}). */
    public Set<String> injectDevices() {
        Set<String> out = new LinkedHashSet<>();
        for (SinkStage s : sinks) {
            out.addAll(s.sink().injectsInto());
        }
        return out;
    }

    /**
     * The NFLOG groups this pipeline's sources read ({@link dev.pmtud.api.Source#nflogGroup()}), by
     * source name in configuration order: what a capture rule feeding them must log to.
     */
    public Map<String, NflogGroup> nflogGroups() {
        Map<String, NflogGroup> out = new LinkedHashMap<>();
        for (SourceRunner s : sources) {
            s.source().nflogGroup().ifPresent(g -> out.put(s.name(), g));
        }
        return out;
    }

    /**
     * Whether one of this pipeline's sources reads NFLOG group {@code group} and is running (opened
     * and started, not failed): then this process holds the group, which the kernel lets one socket do.
     */
    public boolean holdsNflogGroup(int group) {
        for (SourceRunner s : sources) {
            if (s.healthy() && s.source().nflogGroup().map(g -> g.group() == group).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What keeps this pipeline from doing its job, one line each ({@code source S: ...},
     * {@code sink S: ...}): sources whose thread stopped, components whose {@code health()} says
     * they are failing. Empty when all is well. Thread-safe; for probes.
     */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        for (SourceRunner s : sources) {
            String p = s.problem();
            if (p != null) {
                out.add("source " + s.name() + ": " + p);
            }
        }
        for (SinkStage s : sinks) {
            String p = s.problem();
            if (p != null) {
                out.add("sink " + s.name() + ": " + p);
            }
        }
        return out;
    }

    /**
     * Counts since the pipeline was built, including what sources and filters a reload removed
     * had counted (a removed filter keeps its place in {@code dropped}, after the running ones).
     */
    public Summary summary() {
        long received;
        Map<String, Long> dropped = new LinkedHashMap<>();
        synchronized (retiredDropped) {
            received = retiredReceived;
            for (FilterStage f : path.filters()) {
                dropped.put(f.label(), f.dropped() + retiredDropped.getOrDefault(f.label(), 0L));
            }
            retiredDropped.forEach(dropped::putIfAbsent);
        }
        for (SourceRunner s : sources) {
            received += s.received();
        }
        return new Summary(received, path.invalid(), Collections.unmodifiableMap(dropped), path.forwarded());
    }

    @Override
    public String toString() {
        return "pipeline " + name + ": sources " + sourceNames() + ", filters " + filterLabels() + ", sinks " + sinkNames();
    }

    // ---- steps the runtime drives ----

    List<SourceRunner> sourceRunners() {
        return sources;
    }

    List<SinkStage> sinkStages() {
        return sinks;
    }

    List<FilterStage> configuredFilters() {
        return configuredFilters;
    }

    PacketPath path() {
        return path;
    }

    RuntimeContext pipelineContext() {
        return context;
    }

    /** A reload's new lists; the chain is installed separately, under the path's lock ({@link PacketPath#install}). */
    void replace(List<SourceRunner> sources, List<SinkStage> sinks, List<FilterStage> configuredFilters) {
        this.sources = List.copyOf(sources);
        this.sinks = List.copyOf(sinks);
        this.configuredFilters = List.copyOf(configuredFilters);
    }

    /** Keeps what a source a reload removed had received in the summary. */
    void retired(SourceRunner source) {
        synchronized (retiredDropped) {
            retiredReceived += source.received();
        }
    }

    /** Keeps what a filter (or a loop guard) a reload removed or replaced had dropped in the summary, under its label. */
    void retired(FilterStage filter) {
        synchronized (retiredDropped) {
            retiredDropped.merge(filter.label(), filter.dropped(), Long::sum);
        }
    }

    /** Starts one source's thread, handing its packets to this pipeline's path. */
    void start(SourceRunner source) {
        source.start(source.counting(path::process));
    }

    void openSinks() throws IOException {
        for (SinkStage s : sinks) {
            s.open();
        }
    }

    void openSources() throws IOException {
        for (SourceRunner s : sources) {
            s.open();
        }
    }

    void startSources() {
        for (SourceRunner s : sources) {
            start(s);
        }
    }

    /** Every source started and none failed. */
    boolean sourcesHealthy() {
        for (SourceRunner s : sources) {
            if (!s.healthy()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits until every source's thread ended (run() and close() returned) or {@code deadlineNanos}
     * (System.nanoTime) passed. A source a reload could not open has not ended: it waits for the next
     * reload, and the daemon must not take it for a file source that reached its end and stop.
     */
    boolean awaitSources(long deadlineNanos) throws InterruptedException {
        for (SourceRunner s : sources) {
            if (s.openFailed() || !s.join(deadlineNanos - System.nanoTime())) {
                return false;
            }
        }
        return true;
    }

    /** Tells every source to stop: running ones are woken (their run() returns soon, then their thread closes them). */
    void stopSources() {
        for (SourceRunner s : sources) {
            s.stop();
        }
    }

    /** Waits for the source threads until {@code deadlineNanos}; logs the ones still running. */
    void joinSources(long deadlineNanos) throws InterruptedException {
        for (SourceRunner s : sources) {
            if (!s.join(deadlineNanos - System.nanoTime())) {
                LOG.log(System.Logger.Level.WARNING, "source " + s.shownAs() + " did not stop in time; closing the sinks anyway");
            }
        }
    }

    /**
     * Flushes and closes the sinks that were opened, after waiting for an in-flight packet until
     * {@code lockDeadlineNanos} at most (then closing anyway: stopping must stay bounded).
     */
    void closeSinks(long lockDeadlineNanos) {
        boolean locked = false;
        try {
            locked = path.lock().tryLock(Math.max(0, lockDeadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            path.sinksClosed();
            for (SinkStage s : sinks) {
                close(s);
            }
        } finally {
            if (locked) {
                path.lock().unlock();
            }
        }
    }

    /** Flushes and closes one sink, if open() was attempted; failures are logged. */
    void close(SinkStage s) {
        if (!s.opened()) {
            return;
        }
        try {
            s.sink().flush();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "flushing sink " + s.name() + " of pipeline " + name + " failed: " + e, e);
        }
        try {
            s.sink().close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing sink " + s.name() + " of pipeline " + name + " failed: " + e, e);
        }
    }

    /** Closes the configured filters (loop guards belong to their sinks, which closed them with themselves). */
    void closeFilters() {
        for (FilterStage f : configuredFilters) {
            close(f);
        }
    }

    /** Closes one configured filter; a failure is logged. */
    void close(FilterStage f) {
        try {
            f.filter().close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing filter " + f.label() + " of pipeline " + name + " failed: " + e, e);
        }
    }
}
