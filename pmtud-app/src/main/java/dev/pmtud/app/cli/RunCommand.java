package dev.pmtud.app.cli;

import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.Daemon;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code pmtud run --config FILE}: the daemon. */
@Command(name = "run", description = "Run the daemon until SIGINT or SIGTERM (or until every source has ended),"
        + " then stop the sources, flush the sinks and exit 0.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    PmtudCommand top;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML configuration.")
    Path config;

    @Option(names = "--decisions", description = "Print one line per packet: forwarded, dropped (filter and reason) or invalid.")
    boolean decisions;

    @Override
    public Integer call() throws Exception {
        Bootstrap boot = top.bootstrap();
        return new Daemon(boot, boot.loadConfig(config), decisions).run();
    }
}
