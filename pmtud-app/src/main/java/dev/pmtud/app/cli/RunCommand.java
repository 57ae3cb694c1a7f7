package dev.pmtud.app.cli;

import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.Daemon;
import dev.pmtud.app.StartupException;
import dev.pmtud.app.reload.ConfigWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code pmtud run --config FILE [--watch-config]}: the daemon. */
@Command(name = "run", description = "Run the daemon until SIGINT or SIGTERM (or until every source has ended),"
        + " then stop the sources, flush the sinks and exit 0. SIGHUP reloads the configuration file.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    PmtudCommand top;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML configuration.")
    Path config;

    @Option(names = "--decisions", description = "Print one line per packet: forwarded, dropped (filter and reason) or invalid.")
    boolean decisions;

    @Option(names = "--watch-config", description = "Reload the configuration when the file changes, as SIGHUP does"
            + " (also when a Kubernetes ConfigMap update swaps its ..data link).")
    boolean watchConfig;

    @Override
    public Integer call() throws Exception {
        Bootstrap boot = top.bootstrap();
        // Created before the file is read: a change made after that is seen.
        ConfigWatcher watcher = watchConfig ? watcher(boot) : null;
        try {
            return new Daemon(boot, boot.loadConfig(config), decisions).reloadingFrom(config, watcher).run();
        } finally {
            if (watcher != null) {
                watcher.close();
            }
        }
    }

    private ConfigWatcher watcher(Bootstrap boot) {
        try {
            return new ConfigWatcher(config, ConfigWatcher.DEBOUNCE, () -> boot.cli().stop().requestReload("a change of " + config));
        } catch (IOException e) {
            throw new StartupException("--watch-config: cannot watch " + config + " (" + e.getMessage()
                    + "); run without it and reload with SIGHUP", e);
        }
    }
}
