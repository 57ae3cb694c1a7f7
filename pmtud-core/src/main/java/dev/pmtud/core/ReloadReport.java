package dev.pmtud.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a reload did: for each component (and pipeline) whether it was kept, added, replaced or
 * removed, and what failed to open. Kept means the running instance goes on (a source keeps its
 * socket and thread, a filter its state); replaced means a new instance under the same name.
 *
 * @param changes  in the order they were decided: peer providers, then each pipeline's sources,
 *                 filters and sinks, then removed pipelines
 * @param failures one line each: a component that could not open (its pipeline runs without it)
 */
public record ReloadReport(List<Change> changes, List<String> failures) {
    public ReloadReport {
        changes = List.copyOf(changes);
        failures = List.copyOf(failures);
    }

    /** What happened to one component. */
    public enum Action { KEPT, ADDED, REPLACED, REMOVED }

    /**
     * @param pipeline its pipeline ("" for peer and cluster-address providers)
     * @param kind     {@code source}, {@code filter}, {@code sink}, {@code peers}, {@code cluster.addresses}
     *                 (a provider of the cluster's addresses), or {@code pipeline}
     * @param name     its label (or the pipeline's name)
     */
    public record Change(String pipeline, String kind, String name, Action action) {
    }

    /** Whether every component that should run is running. */
    public boolean ok() {
        return failures.isEmpty();
    }

    /** The labels of {@code kind} in {@code pipeline} that {@code action} happened to. */
    public List<String> names(String pipeline, String kind, Action action) {
        return changes.stream().filter(c -> c.pipeline().equals(pipeline) && c.kind().equals(kind) && c.action() == action)
                .map(Change::name).toList();
    }

    /**
     * One line for the log: {@code peers replaced [static]; pipeline main: sources kept [nflog], filters
     * kept [dedup] added [rate-limit], sinks replaced [raw]}; kinds with nothing but kept ones say so briefly.
     */
    public String summary() {
        Map<String, Map<String, Map<Action, List<String>>>> byPipeline = new LinkedHashMap<>();
        for (Change c : changes) {
            byPipeline.computeIfAbsent(c.pipeline(), p -> new LinkedHashMap<>())
                    .computeIfAbsent(c.kind(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(c.action(), a -> new ArrayList<>()).add(c.name());
        }
        List<String> parts = new ArrayList<>();
        byPipeline.forEach((pipeline, kinds) -> {
            List<String> inPipeline = new ArrayList<>();
            kinds.forEach((kind, actions) -> {
                StringBuilder sb = new StringBuilder(plural(kind));
                actions.forEach((action, names) -> sb.append(' ').append(action.name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(names));
                inPipeline.add(sb.toString());
            });
            parts.add((pipeline.isEmpty() ? "" : "pipeline " + pipeline + ": ") + String.join(", ", inPipeline));
        });
        return parts.isEmpty() ? "nothing configured" : String.join("; ", parts);
    }

    private static String plural(String kind) {
        return kind.equals("peers") || kind.equals("cluster.addresses") ? kind : kind + "s";
    }
}
