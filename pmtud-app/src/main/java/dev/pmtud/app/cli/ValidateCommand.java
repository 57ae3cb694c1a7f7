package dev.pmtud.app.cli;

import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.Main;
import dev.pmtud.app.rules.ManagedRuleCheck;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.Pipeline;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pmtud validate --config FILE}: builds everything the daemon would, opens nothing. Prints
 * {@code OK: FILE}, one line per pipeline with its sources, filters and sinks, then the sinks'
 * notes, each on a line of its own starting with {@code NOTE:}.
 */
@Command(name = "validate", description = "Check a configuration: prints OK, every pipeline and any NOTE (exit 0),"
        + " or the first mistake as file:line (exit 2).")
final class ValidateCommand implements Callable<Integer> {
    static final String NOTE = "NOTE: ";

    @ParentCommand
    PmtudCommand top;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML configuration.")
    Path config;

    @Override
    public Integer call() {
        Bootstrap boot = top.bootstrap();
        // Building creates every component (which is where their keys and values are checked) but
        // touches no kernel resource: open() and start() are not called.
        try (Bootstrap.Built built = boot.build(config)) {
            NodeRuntime runtime = built.runtime();
            ManagedRuleCheck.checkConfigured(built.rules().orElse(null), runtime);
            PrintStream out = top.cli().out();
            out.println("OK: " + config);
            for (Pipeline p : runtime.pipelines()) {
                out.println("  " + p);
            }
            for (String note : runtime.notes()) {
                out.println(NOTE + note);
            }
        }
        return Main.OK;
    }
}
