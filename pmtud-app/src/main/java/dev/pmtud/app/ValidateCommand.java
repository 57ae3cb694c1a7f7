package dev.pmtud.app;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.app.rules.RuleManager;
import dev.pmtud.core.Pipeline;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code pmtud validate --config FILE}: builds everything the daemon would, opens nothing. */
@Command(name = "validate", description = "Check a configuration: prints OK (exit 0) or the first mistake as file:line (exit 2).")
final class ValidateCommand implements Callable<Integer> {
    @ParentCommand
    PmtudCommand top;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML configuration.")
    Path config;

    @Override
    public Integer call() {
        Bootstrap boot = new Bootstrap(top);
        ConfigNode root = boot.loadConfig(config);
        RuleManager.fromConfig(root); // validates the rules: block
        // Building creates every component (which is where their keys and values are checked) but
        // touches no kernel resource: open() and start() are not called.
        Pipeline pipeline = Pipeline.builder(root, boot.registry()).build();
        pipeline.close();
        top.cli().out().println("OK: " + config + " (sources " + pipeline.sourceNames() + ", filters "
                + pipeline.filterLabels() + ", sinks " + pipeline.sinkNames() + ")");
        return Main.OK;
    }
}
