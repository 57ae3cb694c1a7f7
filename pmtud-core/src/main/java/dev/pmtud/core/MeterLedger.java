package dev.pmtud.core;

import io.micrometer.core.instrument.Meter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The meters one owner registered — a component (with what the runtime counts for it), a
 * pipeline, the node — so that a reload removes a removed component's series with it and keeps a
 * kept one's. It also holds what Micrometer keeps only weakly (a function counter's supplier) for
 * as long as the owner lives, and, while a reload is being prepared, the gauges and function
 * counters whose series the running configuration still shows: they are bound to the new
 * component only when the reload is applied ({@link ReloadStaging}).
 */
final class MeterLedger {
    private final Set<Meter.Id> ids = ConcurrentHashMap.newKeySet();
    private final List<Object> strongRefs = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Registrations deferred to the commit, by the id they replace; touched by the reloading thread only. */
    private final Map<Meter.Id, Runnable> deferred = new LinkedHashMap<>();

    void recorded(Meter.Id id) {
        ids.add(id);
    }

    void keep(Object reachable) {
        strongRefs.add(reachable);
    }

    synchronized void defer(Meter.Id id, Runnable register) {
        ids.add(id);
        deferred.put(id, register);
    }

    Set<Meter.Id> ids() {
        return Set.copyOf(ids);
    }

    /** The deferred registrations, handed over once (the reload runs them after removing the series they replace). */
    synchronized Map<Meter.Id, Runnable> takeDeferred() {
        Map<Meter.Id, Runnable> out = new LinkedHashMap<>(deferred);
        deferred.clear();
        return out;
    }

    /** Every id of these ledgers. */
    static Set<Meter.Id> union(List<MeterLedger> ledgers) {
        List<Meter.Id> all = new ArrayList<>();
        for (MeterLedger l : ledgers) {
            all.addAll(l.ids());
        }
        return Set.copyOf(all);
    }
}
