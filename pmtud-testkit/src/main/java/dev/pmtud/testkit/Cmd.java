package dev.pmtud.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a time limit and returns its exit status and output. */
public final class Cmd {
    private Cmd() {
    }

    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException("command failed (" + exitCode + "): " + String.join(" ", command)
                        + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    /** Runs and throws when the exit status is not 0. */
    public static Result run(String... command) {
        return exec(List.of(command)).orThrow();
    }

    /** Runs and returns whatever happened; 30 s limit. */
    public static Result exec(List<String> command) {
        return exec(command, 30);
    }

    public static Result exec(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread o = pump(p.getInputStream(), out);
            Thread e = pump(p.getErrorStream(), err);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("command timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            o.join();
            e.join();
            return new Result(command, p.exitValue(), out.toString(), err.toString());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(sink);
            } catch (IOException ignored) {
                // the process went away; what was read is kept
            }
        }, "cmd-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
