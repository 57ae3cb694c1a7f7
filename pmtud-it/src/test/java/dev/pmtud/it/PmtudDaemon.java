package dev.pmtud.it;

import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.PromText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code bin/pmtud run --config FILE} process inside a node namespace, with the YAML it was
 * given (by a {@link PmtudSetup}), its log, and its /metrics read from inside the namespace.
 */
public final class PmtudDaemon implements AutoCloseable {
    public static final int NFLOG_GROUP = 33;

    private final Netns ns;
    private final int node;
    private final int port;
    private final Path config;
    private final Path log;
    private final Process process;

    public static int metricsPort(int node) {
        return 9100 + node;
    }

    public static PmtudDaemon start(Netns ns, int node, String yaml, Path workDir) throws IOException {
        return new PmtudDaemon(ns, node, yaml, workDir, List.of());
    }

    /** Started with extra environment ({@code "PATH=/some/dir"}...) on top of the test's. */
    public static PmtudDaemon start(Netns ns, int node, String yaml, Path workDir, List<String> environment) throws IOException {
        return new PmtudDaemon(ns, node, yaml, workDir, environment);
    }

    private PmtudDaemon(Netns ns, int node, String yaml, Path workDir, List<String> environment) throws IOException {
        this.ns = ns;
        this.node = node;
        this.port = metricsPort(node);
        this.config = workDir.resolve("pmtud-node" + node + ".yaml");
        this.log = workDir.resolve("pmtud-node" + node + ".log");
        Files.writeString(config, yaml);
        List<String> cmd = new ArrayList<>(Launcher.command(environment));
        cmd.addAll(List.of("run", "--config", config.toString()));
        this.process = ns.start(log, cmd.toArray(String[]::new));
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

    /** The daemon's process id (the launcher execs java, so it is the JVM's). */
    public long pid() {
        return process.pid();
    }

    /** Replaces its configuration file's contents (read again on SIGHUP). */
    public void rewrite(String yaml) throws IOException {
        Files.writeString(config, yaml);
    }

    /** Sends SIGHUP: reload the configuration file. */
    public void sighup() {
        dev.pmtud.testkit.Cmd.run("kill", "-HUP", String.valueOf(process.pid()));
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
                Http r = get("/readyz");
                if (r.status == 200) {
                    return;
                }
                last = "/readyz answered " + r.status + ": " + r.body.strip();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100); // poll interval of an awaited condition
        }
        throw new AssertionError("pmtud on node" + node + " not ready after " + limit.toMillis() + " ms (" + last + "); log:\n" + logText());
    }

    /** The current /metrics, parsed. */
    public PromText metrics() throws Exception {
        Http r = get("/metrics");
        if (r.status != 200) {
            throw new AssertionError("node" + node + " /metrics answered " + r.status + ": " + r.body);
        }
        return PromText.parse(r.body);
    }

    record Http(int status, String body) {
    }

    /** A plain HTTP/1.0 GET to the daemon's loopback listener, from inside its namespace. */
    Http get(String path) throws Exception {
        return ns.call(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(3000);
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                in.transferTo(all);
                String text = all.toString(StandardCharsets.UTF_8);
                int headerEnd = text.indexOf("\r\n\r\n");
                if (!text.startsWith("HTTP/") || headerEnd < 0) {
                    throw new IOException("not an HTTP answer: " + text.substring(0, Math.min(200, text.length())));
                }
                String head = text.substring(0, headerEnd);
                int status = Integer.parseInt(head.split(" ")[1]);
                String body = text.substring(headerEnd + 4);
                if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                    body = dechunk(body);
                }
                return new Http(status, body);
            }
        });
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(body.substring(i, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    /** SIGTERM, then waits for a clean exit. Returns the exit code (-1 when it had to be killed). */
    public int stop(Duration limit) throws InterruptedException {
        process.destroy();
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
