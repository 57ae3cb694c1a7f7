package dev.pmtud.app;

import dev.pmtud.testkit.Netns;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs {@link Main} in-process with captured streams and a chosen environment. */
final class CliRunner {
    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private CliRunner() {
    }

    static Result run(String... args) {
        return run(Map.of(), new StopSignal(), args);
    }

    static Result run(Map<String, String> env, StopSignal stop, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int status = Main.run(new Cli(o, e, env::get, stop), args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * {@link Main} running in the background inside {@code ns} (its threads are created there, so
     * its sockets and rules are the namespace's), with its stderr readable while it runs and a stop
     * signal for SIGHUP and SIGTERM.
     */
    static Background inNetns(Netns ns, String... args) {
        return new Background(ns, args);
    }

    static final class Background {
        final StopSignal stop = new StopSignal();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final CompletableFuture<Integer> status;

        private Background(Netns ns, String... args) {
            status = CompletableFuture.supplyAsync(() -> {
                try (PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                     PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                    return ns.call(() -> Main.run(new Cli(o, e, name -> null, stop), args));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        /** What it logged so far. */
        String err() {
            return err.toString(StandardCharsets.UTF_8); // ByteArrayOutputStream is synchronized
        }

        /** SIGTERM, then its exit status. */
        int stop(Duration timeout) throws Exception {
            stop.trigger("SIGTERM");
            return status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
