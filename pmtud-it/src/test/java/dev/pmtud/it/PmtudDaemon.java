package dev.pmtud.it;

import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.PromText;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One {@code bin/pmtud run --config FILE} process inside a node namespace (or {@code bin/pmtud}
 * with another command line, like go-pmtud's flags), with the YAML it was given (by a
 * {@link PmtudSetup}), its log, and its /metrics read from inside the namespace.
 */
public final class PmtudDaemon implements AutoCloseable {
    public static final int NFLOG_GROUP = 33;

    private final Netns ns;
    private final int node;
    private final int port;
    private final Path config;
    private final Path log;
    private final Process process;
    private List<String> stopCommand = List.of();

    public static int metricsPort(int node) {
        return 9100 + node;
    }

    public static PmtudDaemon start(Netns ns, int node, String yaml, Path workDir) throws IOException {
        return start(ns, node, yaml, workDir, List.of());
    }

    /** Started with extra environment ({@code "PATH=/some/dir"}...) on top of the test's. */
    public static PmtudDaemon start(Netns ns, int node, String yaml, Path workDir, List<String> environment) throws IOException {
        return new PmtudDaemon(ns, node, yaml, workDir, config -> launcher(environment, "run", "--config", config.toString()), true);
    }

    /**
     * Like {@link #start(Netns, int, String, Path)}, with the command that runs pmtud made from
     * the configuration file's path by {@code command} (go-pmtud's flags instead of a file, say).
     */
    public static PmtudDaemon start(Netns ns, int node, String yaml, Path workDir, Function<Path, List<String>> command)
            throws IOException {
        return new PmtudDaemon(ns, node, yaml, workDir, command, true);
    }

    /**
     * Like {@link #start(Netns, int, String, Path, Function)}, but run on the host: the command puts
     * pmtud into {@code ns} itself (the image test: {@code podman run --network ns:...}, which
     * must see the host's /sys and network namespace). {@link #stop} runs {@code stopCommand}
     * ({@code podman stop NAME}: what a kubelet does) instead of signalling the command's process.
     */
    public static PmtudDaemon startOnHost(Netns ns, int node, String yaml, Path workDir, Function<Path, List<String>> command,
                                          List<String> stopCommand) throws IOException {
        PmtudDaemon d = new PmtudDaemon(ns, node, yaml, workDir, command, false);
        d.stopCommand = List.copyOf(stopCommand);
        return d;
    }

    /** {@code bin/pmtud} as this build's tests start it, followed by {@code args}. */
    public static List<String> launcher(String... args) {
        return launcher(List.of(), args);
    }

    /** {@code bin/pmtud} as this build's tests start it, with {@code environment} ({@code "NAME=value"}) and {@code args}. */
    static List<String> launcher(List<String> environment, String... args) {
        List<String> cmd = new ArrayList<>(Launcher.command(environment));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private PmtudDaemon(Netns ns, int node, String yaml, Path workDir, Function<Path, List<String>> command, boolean inside)
            throws IOException {
        this.ns = ns;
        this.node = node;
        this.port = metricsPort(node);
        this.config = workDir.resolve("pmtud-node" + node + ".yaml");
        this.log = workDir.resolve("pmtud-node" + node + ".log");
        Files.writeString(config, yaml);
        String[] cmd = command.apply(config).toArray(String[]::new);
        this.process = inside ? ns.start(log, cmd)
                : new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    public int node() {
        return node;
    }

    public Path log() {
        return log;
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /**
     * Waits until the daemon answers {@code /readyz} with 200 (every source open and running). A
     * daemon that exits or never gets there fails with its log.
     */
    public void awaitReady(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("pmtud on node" + node + " exited with " + process.exitValue()
                        + " before it was ready; config:\n" + Files.readString(config) + "\nlog:\n" + logText());
            }
            try {
                LoopbackHttp.Response r = get("/readyz");
                if (r.status() == 200) {
                    return;
                }
                last = "/readyz answered " + r.status() + ": " + r.body().strip();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100); // poll interval of an awaited condition
        }
        throw new AssertionError("pmtud on node" + node + " not ready after " + limit.toMillis() + " ms (" + last + "); log:\n" + logText());
    }

    /** The current /metrics, parsed. */
    public PromText metrics() throws Exception {
        LoopbackHttp.Response r = get("/metrics");
        if (r.status() != 200) {
            throw new AssertionError("node" + node + " /metrics answered " + r.status() + ": " + r.body());
        }
        return PromText.parse(r.body());
    }

    /** A plain HTTP GET to the daemon's loopback listener, from inside its namespace. */
    LoopbackHttp.Response get(String path) throws Exception {
        return LoopbackHttp.get(ns, port, path);
    }

    /** Waits for the process to end by itself; its exit code, or -1 when it still runs after {@code limit}. */
    public int awaitExit(Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** The same to another of its loopback listeners (go-pmtud's health port). */
    LoopbackHttp.Response get(int listenerPort, String path) throws Exception {
        return LoopbackHttp.get(ns, listenerPort, path);
    }

    /** SIGTERM, then waits for a clean exit. Returns the exit code (-1 when it had to be killed). */
    public int stop(Duration limit) throws InterruptedException {
        if (stopCommand.isEmpty()) {
            process.destroy();
        } else {
            dev.pmtud.testkit.Cmd.Result r = dev.pmtud.testkit.Cmd.exec(stopCommand, (int) limit.toSeconds() + 30);
            if (r.exitCode() != 0) {
                System.err.println("[pmtud node" + node + "] " + String.join(" ", stopCommand) + ": " + r);
            }
        }
        if (process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
        return -1;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                stop(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * How to start pmtud: {@code bin/pmtud} over the distribution this build made (the same
     * launcher users run), found from where the tests run; {@code -Dpmtud.launcher=/path/to/pmtud}
     * overrides it.
     */
    static final class Launcher {
        static List<String> command() {
            String explicit = System.getProperty("pmtud.launcher", System.getenv("PMTUD_LAUNCHER"));
            if (explicit != null && !explicit.isBlank()) {
                return List.of(explicit);
            }
            Path root = RepoPaths.root();
            Path bin = root.resolve("bin/pmtud");
            Path dist = root.resolve("pmtud-app").resolve(RepoPaths.buildDirName()).resolve("dist");
            if (!Files.isExecutable(bin) || !Files.isDirectory(dist.resolve("lib"))) {
                throw new AssertionError("cannot start pmtud: need " + bin + " and the distribution " + dist
                        + "/lib (built by `mvn -pl pmtud-it -am verify`, which packages pmtud-app first); "
                        + "or set -Dpmtud.launcher=/path/to/pmtud");
            }
            return List.of("env", "PMTUD_HOME=" + dist, bin.toString());
        }

        /** {@link #command()} with more environment ({@code "PATH=/some/dir"}...): one {@code env}, whose PATH lookup happens before the change. */
        static List<String> command(List<String> environment) {
            List<String> base = command();
            if (environment.isEmpty()) {
                return base;
            }
            List<String> out = new ArrayList<>(List.of("env"));
            out.addAll(environment);
            out.addAll(base.get(0).equals("env") ? base.subList(1, base.size()) : base);
            return out;
        }
    }
}
