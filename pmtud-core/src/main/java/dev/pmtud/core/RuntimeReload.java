package dev.pmtud.core;

import dev.pmtud.core.ReloadReport.Action;
import io.micrometer.core.instrument.Meter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A new configuration built beside the running one ({@link NodeRuntime#prepareReload}), and the
 * swap that turns the running runtime into it ({@link #apply()}), keeping what did not change.
 *
 * <p>Unchanged means: in the same pipeline, the same kind and label, and a block with the same
 * type, keys and values ({@link ComponentBlock#content()}); for filters and sinks also the same
 * cluster networks (they are given them, {@code PipelineContext.excludedNetworks()}). A source must
 * also be running well. An unchanged component is kept: the running instance goes on (a source
 * keeps its socket and its thread, a filter its state — dedup entries, rate-limit buckets — and
 * every component its series); the instance the new build made for it is dropped unopened.
 *
 * <p>The order never drops what both configurations relay:
 * <ol>
 *   <li>peer providers that are new or changed start (and report) beside the old ones;
 *   <li>each pipeline, under its lock (its sources wait, nothing is lost): sinks that go are flushed
 *       and closed, new ones opened (close before open: a sink may hold what its successor needs, a
 *       file, a TUN device), the new chain installed. Every packet is handled by the configuration
 *       before or the one after, entirely; kept sources never notice;
 *   <li>sources that go (removed, changed, of removed pipelines) are stopped and joined, then their
 *       successors opened and started (close before open: an NFLOG group has room for one socket);
 *   <li>removed pipelines' sinks and filters close, new pipelines start;
 *   <li>old peer providers close, their peers leave the set;
 *   <li>the series of everything removed disappear; new ones exist (at zero) since the build.
 * </ol>
 * A component that fails to open is logged and reported ({@link ReloadReport#failures()}); its
 * pipeline runs without it (a source that failed makes {@link NodeRuntime#ready()} false) until a
 * reload or restart brings it.
 */
public final class RuntimeReload {
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private final NodeRuntime running;
    private final NodeRuntime next;
    private final ReloadStaging staging;
    private boolean done;

    RuntimeReload(NodeRuntime running, NodeRuntime next, ReloadStaging staging) {
        this.running = running;
        this.next = next;
        this.staging = staging;
    }

    /**
     * The runtime the new configuration builds, for checks before {@link #apply()} (its pipelines,
     * NFLOG groups, inject devices, settings). Never start it: apply or discard this reload.
     */
    public NodeRuntime next() {
        return next;
    }

    /** Drops the new build: nothing running changed; the series it registered are removed again. */
    public void discard() {
        synchronized (running.transitions()) {
            if (done) {
                return;
            }
            done = true;
            for (Pipeline p : next.pipelines()) {
                p.closeFilters();
            }
            next.retire();
            undo(running, staging);
        }
    }

    /** What a reload's build left behind when it is not applied: its new series, its components' peer listeners. */
    static void undo(NodeRuntime running, ReloadStaging staging) {
        ReloadMeters.undo(running, staging);
    }

    /**
     * Turns the running runtime into {@link #next()} in the order the class comment gives. Failures
     * to open are in the report, never thrown.
     *
     * @throws IllegalStateException when the runtime is no longer running, or this reload was used
     */
    public ReloadReport apply() {
        synchronized (running.transitions()) {
            if (done || !running.running()) {
                throw new IllegalStateException(done ? "this reload was already applied or discarded" : "the runtime is not running");
            }
            done = true;
            Set<Meter.Id> before = ReloadMeters.ids(running);
            Set<Meter.Id> staged = ReloadMeters.ids(next);
            ReloadChanges changes = new ReloadChanges();
            List<NodeRuntime.NamedProvider> providers = ReloadProviders.start(running, next, changes);
            Map<String, Pipeline> old = new LinkedHashMap<>();
            for (Pipeline p : running.pipelines()) {
                old.put(p.name(), p);
            }
            List<Pipeline> pipelines = new ArrayList<>();
            List<Retiring> retiring = new ArrayList<>();
            Map<Pipeline, List<SourceRunner>> opening = new LinkedHashMap<>();
            for (Pipeline p : next.pipelines()) {
                Pipeline was = old.remove(p.name());
                if (was == null) {
                    changes.add(p.name(), "pipeline", p.name(), Action.ADDED);
                    addAll(p, changes);
                    swapStages(p, p.sinkStages(), changes);
                    opening.put(p, p.sourceRunners());
                    pipelines.add(p);
                } else {
                    opening.put(was, swap(was, p, retiring, changes));
                    pipelines.add(was);
                }
            }
            for (Pipeline gone : old.values()) {
                changes.add(gone.name(), "pipeline", gone.name(), Action.REMOVED);
                for (SourceRunner s : gone.sourceRunners()) {
                    retiring.add(new Retiring(gone, s));
                }
            }
            retire(retiring);
            long lockDeadline = System.nanoTime() + NodeRuntime.SINK_LOCK_NANOS;
            for (Pipeline gone : old.values()) {
                gone.closeSinks(lockDeadline);
                gone.closeFilters();
                detach(gone);
            }
            opening.forEach((p, sources) -> startSources(p, sources, changes));
            ReloadProviders.closeOthers(running, providers);
            running.adopt(next.settings(), next.clusterNetworks(), providers, pipelines);
            next.retire();
            ReloadMeters.commit(running, staging, before, staged);
            return changes.report();
        }
    }

    /** A running source a reload stops, and its pipeline (which keeps its count). */
    private record Retiring(Pipeline pipeline, SourceRunner source) {
    }

    // ---- pipelines ----

    /**
     * Turns running pipeline {@code was} into {@code now}'s configuration: its stages at once, under
     * its lock; its sources to stop are added to {@code retiring}.
     *
     * @return the new sources, to open once the retiring ones stopped
     */
    private List<SourceRunner> swap(Pipeline was, Pipeline now, List<Retiring> retiring, ReloadChanges changes) {
        String name = was.name();
        List<SourceRunner> sources = new ArrayList<>();
        List<SourceRunner> opening = new ArrayList<>();
        for (SourceRunner s : now.sourceRunners()) {
            SourceRunner same = find(was.sourceRunners(), s.name(), SourceRunner::name);
            if (same != null && same.keepableFor(s.identity())) {
                sources.add(same);
                s.context().detach();
                changes.add(name, "source", s.name(), Action.KEPT);
            } else {
                sources.add(s);
                opening.add(s);
                changes.add(name, "source", s.name(), same == null ? Action.ADDED : Action.REPLACED);
            }
        }
        List<SourceRunner> stopping = new ArrayList<>();
        for (SourceRunner s : was.sourceRunners()) {
            if (!sources.contains(s)) {
                stopping.add(s);
                retiring.add(new Retiring(was, s));
                if (find(now.sourceRunners(), s.name(), SourceRunner::name) == null) {
                    changes.add(name, "source", s.name(), Action.REMOVED);
                }
            }
        }
        List<FilterStage> filters = new ArrayList<>();
        for (FilterStage f : now.configuredFilters()) {
            FilterStage same = find(was.configuredFilters(), f.label(), FilterStage::label);
            boolean keep = same != null && same.identity() != null && same.identity().equals(f.identity());
            filters.add(keep ? same : f);
            if (keep) {
                now.close(f); // the new build's twin of a kept filter, never used
                f.context().detach();
            }
            changes.add(name, "filter", f.label(), keep ? Action.KEPT : same == null ? Action.ADDED : Action.REPLACED);
        }
        List<FilterStage> removedFilters = new ArrayList<>();
        for (FilterStage f : was.configuredFilters()) {
            if (!filters.contains(f)) {
                removedFilters.add(f);
                if (find(now.configuredFilters(), f.label(), FilterStage::label) == null) {
                    changes.add(name, "filter", f.label(), Action.REMOVED);
                }
            }
        }
        List<SinkStage> sinks = new ArrayList<>();
        for (SinkStage s : now.sinkStages()) {
            SinkStage same = find(was.sinkStages(), s.name(), SinkStage::name);
            boolean keep = same != null && same.identity() != null && same.identity().equals(s.identity());
            sinks.add(keep ? same : s);
            if (keep) {
                s.context().detach();
            }
            changes.add(name, "sink", s.name(), keep ? Action.KEPT : same == null ? Action.ADDED : Action.REPLACED);
        }
        for (SinkStage s : was.sinkStages()) {
            if (!sinks.contains(s) && find(now.sinkStages(), s.name(), SinkStage::name) == null) {
                changes.add(name, "sink", s.name(), Action.REMOVED);
            }
        }
        was.replace(was.sourceRunners(), was.sinkStages(), filters);
        swapStages(was, sinks, changes);
        // Only now is no packet in a filter that goes: keep their counts, then close them.
        for (FilterStage f : removedFilters) {
            was.retired(f);
            was.close(f);
            f.context().detach();
        }
        // The retiring sources stay listed (and counted) until they stopped.
        List<SourceRunner> listed = new ArrayList<>(sources);
        listed.addAll(stopping);
        was.replace(listed, was.sinkStages(), filters);
        return opening;
    }

    /**
     * Under {@code pipeline}'s lock (its sources wait): flushes and closes its sinks that
     * {@code wanted} does not hold, opens the ones it holds that are not open, installs the chain (the
     * loop guards of the sinks that opened, then the pipeline's configured filters). A sink that
     * fails to open is left out.
     */
    private static void swapStages(Pipeline pipeline, List<SinkStage> wanted, ReloadChanges changes) {
        List<SinkStage> open = new ArrayList<>();
        pipeline.path().lock().lock();
        try {
            for (SinkStage s : pipeline.sinkStages()) {
                if (!wanted.contains(s)) {
                    if (s.guard() != null) {
                        pipeline.retired(s.guard());
                    }
                    pipeline.close(s);
                    s.context().detach();
                }
            }
            for (SinkStage s : wanted) {
                if (!s.opened()) {
                    try {
                        s.open();
                    } catch (IOException | RuntimeException e) {
                        changes.failed("pipeline " + pipeline.name() + ", sink " + s.name(), e, "its pipeline runs without it");
                        pipeline.close(s);
                        s.context().detach();
                        continue;
                    }
                }
                open.add(s);
            }
            pipeline.path().install(Pipeline.chain(open, pipeline.configuredFilters()), open);
        } finally {
            pipeline.path().lock().unlock();
        }
        pipeline.replace(pipeline.sourceRunners(), open, pipeline.configuredFilters());
    }

    /** Stops every retiring source at once, then waits for their threads (1.5 s in all); their counts stay in the summary. */
    private static void retire(List<Retiring> retiring) {
        for (Retiring r : retiring) {
            r.source().stop();
        }
        long deadline = System.nanoTime() + NodeRuntime.JOIN_NANOS;
        for (Retiring r : retiring) {
            try {
                if (!r.source().join(deadline - System.nanoTime())) {
                    LOG.log(System.Logger.Level.WARNING, "reload: source " + r.source().shownAs() + " did not stop in time; going on");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Pipeline p = r.pipeline();
            p.retired(r.source());
            List<SourceRunner> left = new ArrayList<>(p.sourceRunners());
            left.remove(r.source());
            p.replace(left, p.sinkStages(), p.configuredFilters());
            r.source().context().detach();
        }
    }

    /** Opens and starts {@code pipeline}'s new sources; one that fails stays in the pipeline, not ready. */
    private static void startSources(Pipeline pipeline, List<SourceRunner> sources, ReloadChanges changes) {
        for (SourceRunner s : sources) {
            try {
                s.open();
            } catch (IOException | RuntimeException e) {
                changes.failed("pipeline " + pipeline.name() + ", source " + s.name(), e, "its pipeline runs without it (not ready)");
                s.openFailed(e); // what /readyz names
                s.stop();
                continue;
            }
            pipeline.start(s);
        }
    }

    /** Every component of a pipeline the reload adds, in the report. */
    private static void addAll(Pipeline p, ReloadChanges changes) {
        for (SourceRunner s : p.sourceRunners()) {
            changes.add(p.name(), "source", s.name(), Action.ADDED);
        }
        for (FilterStage f : p.configuredFilters()) {
            changes.add(p.name(), "filter", f.label(), Action.ADDED);
        }
        for (SinkStage s : p.sinkStages()) {
            changes.add(p.name(), "sink", s.name(), Action.ADDED);
        }
    }

    private static void detach(Pipeline p) {
        for (SourceRunner s : p.sourceRunners()) {
            s.context().detach();
        }
        for (FilterStage f : p.configuredFilters()) {
            f.context().detach();
        }
        for (SinkStage s : p.sinkStages()) {
            s.context().detach();
        }
    }

    private static <T> T find(List<T> items, String name, java.util.function.Function<T, String> nameOf) {
        for (T t : items) {
            if (nameOf.apply(t).equals(name)) {
                return t;
            }
        }
        return null;
    }
}
