package dev.pmtud.app.cli;

import dev.pmtud.app.Main;
import dev.pmtud.app.gopmtud.GoPmtudFlags;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code pmtud config-from-flags <go-pmtud flags>}: prints the YAML those flags amount to, to migrate. */
@Command(name = "config-from-flags", description = "Print the configuration file equivalent to go-pmtud's flags.")
final class ConfigFromFlagsCommand implements Callable<Integer> {
    @ParentCommand
    PmtudCommand top;

    @ArgGroup(exclusive = false, heading = "%ngo-pmtud flags:%n")
    GoPmtudFlags flags = new GoPmtudFlags();

    @Override
    public Integer call() {
        top.cli().out().print(flags.toYaml());
        return Main.OK;
    }
}
