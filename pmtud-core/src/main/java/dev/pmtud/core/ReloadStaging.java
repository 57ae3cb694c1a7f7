package dev.pmtud.core;

import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a reload's build made before anyone knows whether it will be applied, so that discarding it
 * leaves the running configuration as it was. Meters: while it is open, a meter that does not
 * exist yet is registered (at zero) and remembered, so that discarding the reload removes it
 * again; a gauge or function counter whose series exists (the running component of that name
 * shows it) is deferred to the commit ({@link MeterLedger#defer}), so that the running
 * component's series stays bound to the running component until the swap. Counters of an existing
 * series are shared: a component replaced under the same name continues its predecessor's count.
 * Contexts: every component context created, so that the peer listeners of components never run
 * are detached.
 */
final class ReloadStaging {
    private volatile boolean open = true;
    private final Set<Meter.Id> created = ConcurrentHashMap.newKeySet();
    private final List<RuntimeContext> contexts = new CopyOnWriteArrayList<>();

    boolean open() {
        return open;
    }

    void created(Meter.Id id) {
        created.add(id);
    }

    /** What the reload's build registered that did not exist before. */
    Set<Meter.Id> created() {
        return Set.copyOf(created);
    }

    void contextCreated(RuntimeContext context) {
        contexts.add(context);
    }

    /** Every component context the reload's build created. */
    List<RuntimeContext> contexts() {
        return List.copyOf(contexts);
    }

    /**
     * From now on registrations are plain ones (the reload was applied or discarded); forgets what
     * it made, which the components of the new configuration would otherwise keep reachable (the
     * unused twins of kept components among them).
     */
    void close() {
        open = false;
        created.clear();
        contexts.clear();
    }
}
