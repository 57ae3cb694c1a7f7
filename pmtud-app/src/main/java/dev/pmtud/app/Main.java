package dev.pmtud.app;

import dev.pmtud.api.ConfigException;
import dev.pmtud.app.config.ConfigErrorReport;
import dev.pmtud.app.cli.PmtudCommand;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point. Exit statuses: 0 done, 1 could not start or failed while running, 2 bad configuration
 * or bad command line. Errors are one line on stderr (a configuration mistake: that line, then the
 * offending line of the file, quoted), never a stack trace (unless {@code --log-level debug}).
 */
public final class Main {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_CONFIG = 2;

    private Main() {
    }

    public static void main(String[] args) {
        Cli cli = Cli.system();
        cli.stop().installSignalHandlers();
        int status = run(cli, args);
        System.out.flush();
        System.exit(status);
    }

    /** Runs one command line in this process; what tests call. */
    public static int run(Cli cli, String... args) {
        PmtudCommand top = new PmtudCommand(cli);
        CommandLine cmd = new CommandLine(top);
        cmd.setOut(new PrintWriter(cli.out(), true));
        cmd.setErr(new PrintWriter(cli.err(), true));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(cli, top, e));
        cmd.setParameterExceptionHandler((e, args2) -> {
            cli.err().println("pmtud: " + e.getMessage() + "; see " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help");
            return BAD_CONFIG;
        });
        return cmd.execute(args);
    }

    private static int handle(Cli cli, PmtudCommand top, Exception e) {
        if (e instanceof ConfigException c) {
            cli.err().println(ConfigErrorReport.describe(c));
            return BAD_CONFIG;
        }
        if (e instanceof StartupException) {
            cli.err().println("pmtud: " + e.getMessage());
            if (top.debug() && e.getCause() != null) {
                e.getCause().printStackTrace(cli.err());
            }
            return FAILED;
        }
        cli.err().println("pmtud: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage()
                + (top.debug() ? "" : " (run with --log-level debug for the stack trace)"));
        if (top.debug()) {
            e.printStackTrace(cli.err());
        }
        return FAILED;
    }
}
