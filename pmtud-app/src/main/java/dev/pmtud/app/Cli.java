package dev.pmtud.app;

import java.io.PrintStream;
import java.util.function.Function;

/**
 * What a command needs from the process it runs in: its streams, its environment and how it is
 * told to stop. Passed in rather than read from {@link System} so tests run commands in-process.
 *
 * @param out         decisions, summaries, listings
 * @param err         logs and error lines
 * @param environment {@code ${VAR}} lookups
 * @param stop        triggered by SIGINT/SIGTERM (or a test)
 */
public record Cli(PrintStream out, PrintStream err, Function<String, String> environment, StopSignal stop) {

    public static Cli system() {
        return new Cli(System.out, System.err, System::getenv, new StopSignal());
    }
}
