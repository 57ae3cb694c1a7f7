package dev.pmtud.app.cli;

import dev.pmtud.app.Main;
import dev.pmtud.app.gopmtud.GoPmtudFlags;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code pmtud config-from-flags <go-pmtud flags>}: prints the YAML those flags (and {@code PMTUD_*} variables) amount to, to migrate. */
@Command(name = "config-from-flags", description = "Print the configuration file equivalent to go-pmtud's flags.")
final class ConfigFromFlagsCommand implements Callable<Integer> {
    @ParentCommand
    PmtudCommand top;

    @ArgGroup(exclusive = false, heading = "%ngo-pmtud flags (either generation; PMTUD_<FLAG> variables too):%n")
    GoPmtudFlags flags = new GoPmtudFlags();

    /** Prints what the drop-in mode would run; an l2 interface this machine lacks is written as given, with a comment. */
    @Override
    public Integer call() {
        GoPmtudFlags given = flags != null ? flags : new GoPmtudFlags();
        top.cli().out().print(given.config(top.cli().environment()).yaml(false));
        return Main.OK;
    }
}
