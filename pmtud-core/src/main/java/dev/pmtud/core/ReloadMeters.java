package dev.pmtud.core;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A reload's series: which ones the running configuration holds (every component's
 * {@link MeterLedger}), which ones go when it is applied, and what a discarded one leaves behind.
 */
final class ReloadMeters {
    private ReloadMeters() {
    }

    /** Removes the series a discarded reload's build registered and detaches its components' peer listeners. */
    static void undo(NodeRuntime running, ReloadStaging staging) {
        Set<Meter.Id> created = staging.created();
        List<RuntimeContext> contexts = staging.contexts();
        staging.close();
        MeterRegistry registry = running.meterRegistry();
        for (Meter.Id id : created) {
            registry.remove(id);
        }
        for (RuntimeContext c : contexts) {
            c.detach();
        }
    }

    /** Every series the ledgers of {@code runtime}'s node, providers, pipelines and components hold. */
    static Set<Meter.Id> ids(NodeRuntime runtime) {
        return MeterLedger.union(ledgers(runtime));
    }

    private static List<MeterLedger> ledgers(NodeRuntime runtime) {
        List<MeterLedger> out = new ArrayList<>();
        out.add(runtime.nodeMetrics().ledger());
        for (NodeRuntime.NamedProvider p : runtime.providers()) {
            out.add(p.context().ledger());
        }
        for (Pipeline p : runtime.pipelines()) {
            out.add(p.pipelineContext().ledger());
            for (SourceRunner s : p.sourceRunners()) {
                out.add(s.context().ledger());
            }
            for (FilterStage f : p.configuredFilters()) {
                out.add(f.context().ledger());
            }
            for (SinkStage s : p.sinkStages()) {
                out.add(s.context().ledger());
            }
        }
        return out;
    }

    /**
     * Removes every series the running or the new build registered that nothing of the resulting
     * configuration holds, then binds the new components' deferred gauges and function counters.
     */
    static void commit(NodeRuntime running, ReloadStaging staging, Set<Meter.Id> before, Set<Meter.Id> staged) {
        MeterRegistry registry = running.meterRegistry();
        List<MeterLedger> now = ledgers(running);
        Set<Meter.Id> kept = MeterLedger.union(now);
        Set<Meter.Id> candidates = new HashSet<>(before);
        candidates.addAll(staged);
        candidates.addAll(staging.created());
        for (RuntimeContext c : staging.contexts()) {
            candidates.addAll(c.ledger().ids());
        }
        for (Meter.Id id : candidates) {
            if (!kept.contains(id)) {
                registry.remove(id);
            }
        }
        staging.close();
        for (MeterLedger l : now) {
            l.takeDeferred().forEach((id, register) -> {
                registry.remove(id);
                register.run();
            });
        }
    }

}
