package dev.pmtud.core;

import dev.pmtud.core.ReloadReport.Action;
import java.util.ArrayList;
import java.util.List;

/** A reload's report as it is decided, and its failures logged as they happen. */
final class ReloadChanges {
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private final List<ReloadReport.Change> list = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    void add(String pipeline, String kind, String name, Action action) {
        list.add(new ReloadReport.Change(pipeline, kind, name, action));
    }

    /** @param consequence what runs instead, for the log */
    void failed(String what, Exception e, String consequence) {
        String line = what + ": " + e.getMessage();
        failures.add(line);
        LOG.log(System.Logger.Level.ERROR, "reload: " + line + "; " + consequence + " until the next reload or restart");
    }

    ReloadReport report() {
        return new ReloadReport(list, failures);
    }
}
