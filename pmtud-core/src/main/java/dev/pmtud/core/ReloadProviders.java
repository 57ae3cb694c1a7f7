package dev.pmtud.core;

import dev.pmtud.core.ReloadReport.Action;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reload's providers ({@code peers:} and {@code cluster.addresses:}), make before break: new and
 * changed ones start (and report their first set) beside the running ones, each in its own slot of
 * its merged set; the old ones close last. A provider is the same one when its section and label are.
 */
final class ReloadProviders {
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private ReloadProviders() {
    }

    /** Starts the new and changed providers beside the running ones; returns the providers of the new configuration. */
    static List<NodeRuntime.NamedProvider> start(NodeRuntime running, NodeRuntime next, ReloadChanges changes) {
        Map<String, NodeRuntime.NamedProvider> old = new LinkedHashMap<>();
        for (NodeRuntime.NamedProvider p : running.providers()) {
            old.put(slot(p), p);
        }
        List<NodeRuntime.NamedProvider> out = new ArrayList<>();
        List<NodeRuntime.NamedProvider> started = new ArrayList<>();
        for (NodeRuntime.NamedProvider p : next.providers()) {
            NodeRuntime.NamedProvider was = old.get(slot(p));
            if (was != null && was.identity().equals(p.identity())) {
                changes.add("", p.section(), p.name(), Action.KEPT);
                out.add(was);
                p.context().detach();
                continue;
            }
            changes.add("", p.section(), p.name(), was == null ? Action.ADDED : Action.REPLACED);
            try {
                running.startProvider(p);
                started.add(p);
                out.add(p);
            } catch (IOException | RuntimeException e) {
                changes.failed(p.shownAs(), e, was == null ? "running without it" : "keeping its previous configuration");
                NodeRuntime.closeProvider(p);
                p.set().remove(p.key());
                p.context().detach();
                if (was != null) {
                    out.add(was);
                }
            }
        }
        try {
            running.awaitFirstReports(started);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "reload: " + e.getMessage());
        }
        for (NodeRuntime.NamedProvider was : running.providers()) {
            if (!out.contains(was) && next.providers().stream().noneMatch(p -> slot(p).equals(slot(was)))) {
                changes.add("", was.section(), was.name(), Action.REMOVED);
            }
        }
        return out;
    }

    private static String slot(NodeRuntime.NamedProvider p) {
        return p.section() + '\0' + p.name();
    }

    /** Closes the running providers the new configuration does not keep; their peers leave the set. */
    static void closeOthers(NodeRuntime running, List<NodeRuntime.NamedProvider> kept) {
        for (NodeRuntime.NamedProvider was : running.providers()) {
            if (!kept.contains(was)) {
                NodeRuntime.closeProvider(was);
                was.set().remove(was.key());
                was.context().detach();
            }
        }
    }
}
