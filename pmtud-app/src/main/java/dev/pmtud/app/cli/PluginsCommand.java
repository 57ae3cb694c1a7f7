package dev.pmtud.app.cli;

import dev.pmtud.app.Main;
import dev.pmtud.core.PluginRegistry;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code pmtud plugins}: every component type with its kind and the jar it comes from. */
@Command(name = "plugins", description = "List every source, filter, sink and peer-provider type, with the jar it comes from.")
final class PluginsCommand implements java.util.concurrent.Callable<Integer> {
    @ParentCommand
    PmtudCommand top;

    @Override
    public Integer call() {
        List<PluginRegistry.Plugin> plugins = top.bootstrap().registry().plugins();
        int typeWidth = 4;
        int originWidth = 6;
        for (PluginRegistry.Plugin p : plugins) {
            typeWidth = Math.max(typeWidth, p.type().length());
            originWidth = Math.max(originWidth, p.origin().length());
        }
        // One line per type, so that `pmtud plugins | grep` answers "where does X come from".
        String format = "%-6s  %-" + typeWidth + "s  %-" + originWidth + "s  %s%n";
        top.cli().out().printf(format, "KIND", "TYPE", "ORIGIN", "DESCRIPTION");
        for (PluginRegistry.Plugin p : plugins) {
            top.cli().out().printf(format, p.kind(), p.type(), p.origin(), p.description());
        }
        return Main.OK;
    }
}
