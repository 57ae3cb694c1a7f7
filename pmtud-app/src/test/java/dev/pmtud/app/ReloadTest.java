package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.PromText;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pmtud run} reloading its configuration: on SIGHUP (the signal itself, to a separate JVM,
 * and the request it makes, in-process), refusing a broken file with its line quoted while the
 * running configuration stays, and following a Kubernetes ConfigMap update with {@code --watch-config}.
 * The kernel-facing half (a peer added that receives, the NFLOG socket kept, the rule following) is
 * pmtud-it's {@code ReloadE2eTest}.
 */
class ReloadTest {
    private static final Duration AWAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** A daemon running in this process on its own thread, with its streams captured. */
    private static final class Running {
        final StopSignal stop = new StopSignal();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Integer> status;

        Running(String... args) {
            PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            Cli cli = new Cli(o, e, name -> null, stop);
            status = CompletableFuture.supplyAsync(() -> Main.run(cli, args));
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        int stop() throws Exception {
            stop.trigger("SIGTERM");
            return status.get(10, TimeUnit.SECONDS);
        }
    }

    private static String config(int port, String sinks) {
        return """
                node: reload-test
                metrics: { listen: "127.0.0.1:%d" }
                sources: [ { type: test-idle } ]
                filters: [ { type: dedup, window: 1s } ]
                sinks:
                %s
                """.formatted(port, sinks);
    }

    /** The daemon's /metrics; nothing when it does not answer. */
    private static PromText metrics(int port) {
        Http.Response r = Http.get(port, "/metrics");
        return PromText.parse(r.status() == 200 ? r.body() : "");
    }

    private static double reloads(int port, String result) {
        return metrics(port).sum("pmtud_config_reloads_total", l -> result.equals(l.get("result")));
    }

    private static boolean hasSink(int port, String sink) {
        return metrics(port).samples("pmtud_sink_sent_total").stream().anyMatch(s -> sink.equals(s.labels().get("sink")));
    }

    @Test
    void aReloadAppliesTheFileAndABrokenOneIsRefusedWithItsLineQuoted() throws Exception {
        int port = Http.freePort();
        Path file = dir.resolve("pmtud.yaml");
        Files.writeString(file, config(port, "  - { type: log }"));
        Running run = new Running("run", "--config", file.toString());
        try {
            Await.until(AWAIT, "ready", () -> Http.get(port, "/readyz").status() == 200);
            for (String result : List.of("ok", "invalid", "failed")) {
                assertEquals(0.0, reloads(port, result), "pmtud_config_reloads_total{result=" + result + "} exists at zero");
            }

            Files.writeString(file, config(port, "  - { type: log }\n  - { type: log, name: second }"));
            run.stop.requestReload("SIGHUP");
            Await.until(AWAIT, () -> "the reload; log:\n" + run.err(), () -> reloads(port, "ok") == 1);
            assertTrue(hasSink(port, "second"), "the added sink's series exists");
            assertTrue(run.err().contains("SIGHUP: reloading " + file), run.err());
            assertTrue(run.err().contains("configuration reloaded from " + file + ": pipeline main: sources kept [test-idle],"
                    + " filters kept [dedup], sinks kept [log] added [second]"), run.err());

            Files.writeString(file, config(port, "  - { type: log }\n  - { type: log, name: third, levl: info }"));
            run.stop.requestReload("SIGHUP");
            Await.until(AWAIT, () -> "the refusal; log:\n" + run.err(), () -> reloads(port, "invalid") == 1);
            List<String> refusal = run.err().lines().dropWhile(l -> !l.contains("reload refused")).limit(2).toList();
            assertEquals(2, refusal.size(), run.err());
            assertTrue(refusal.get(0).endsWith("ERROR Daemon: reload refused, the running configuration stays: " + file
                    + ":7: sinks[1] (third: log): unknown key 'levl' (did you mean 'level'?); allowed: level, name"), refusal.get(0));
            assertTrue(refusal.get(1).endsWith("ERROR Daemon:      7 |   - { type: log, name: third, levl: info }"), refusal.get(1));
            assertTrue(hasSink(port, "second") && !hasSink(port, "third"), "the running configuration stays: " + run.err());
            assertEquals(200, Http.get(port, "/readyz").status());
            assertEquals(1.0, reloads(port, "ok"));
            assertEquals(Main.OK, run.stop());
        } finally {
            run.stop.trigger("SIGTERM");
        }
    }

    /** A health port or go-pmtud's series switched in the file: refused, both are fixed until a restart. */
    @Test
    void aChangedHealthPortIsRefusedUntilARestart() throws Exception {
        int port = Http.freePort();
        int health = Http.freePort();
        Path file = dir.resolve("health.yaml");
        Files.writeString(file, config(port, "  - { type: log }"));
        Running run = new Running("run", "--config", file.toString());
        try {
            Await.until(AWAIT, "ready", () -> Http.get(port, "/readyz").status() == 200);
            Files.writeString(file, config(port, "  - { type: log }").replace("metrics: { listen: \"127.0.0.1:" + port + "\" }",
                    "metrics: { listen: \"127.0.0.1:" + port + "\", health-listen: \"127.0.0.1:" + health + "\", go-pmtud: true }"));
            run.stop.requestReload("SIGHUP");
            Await.until(AWAIT, () -> "the refusal; log:\n" + run.err(), () -> reloads(port, "invalid") == 1);
            assertTrue(run.err().contains("reload refused, the running configuration stays: " + file + ":2: metrics: health-listen (running: off) and"
                    + " go-pmtud (running: false) keep their values until a restart"), run.err());
            assertEquals(-1, Http.get(health, "/healthz").status(), "no health listener appeared");
            assertEquals(Main.OK, run.stop());
        } finally {
            run.stop.trigger("SIGTERM");
        }
    }

    /** Started from go-pmtud's flags there is no file: SIGHUP is refused with that reason and counted, nothing else happens. */
    @Test
    void withoutAFileASighupIsRefusedWithItsReason() {
        java.util.Map<String, Long> counted = new java.util.HashMap<>();
        dev.pmtud.api.Metrics metrics = new dev.pmtud.api.Metrics() {
            @Override
            public Counter counter(String name, String help, String... tags) {
                String key = name + tags[1];
                counted.put(key, 0L);
                return new Counter() {
                    @Override
                    public void increment() {
                        add(1);
                    }

                    @Override
                    public void add(long amount) {
                        counted.merge(key, amount, Long::sum);
                    }

                    @Override
                    public long count() {
                        return counted.get(key);
                    }
                };
            }

            @Override
            public void gauge(String name, String help, java.util.function.Supplier<Number> value, String... tags) {
            }

            @Override
            public void functionCounter(String name, String help, java.util.function.Supplier<Number> value, String... tags) {
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.pmtud.app.Daemon");
        java.util.logging.Handler h = new java.util.logging.StreamHandler(err, new java.util.logging.SimpleFormatter());
        jul.addHandler(h);
        try {
            dev.pmtud.app.reload.ConfigReloader reloader = new dev.pmtud.app.reload.ConfigReloader(null, null, b -> { }, null,
                    new dev.pmtud.app.reload.DaemonRule(metrics), metrics);
            assertEquals("invalid", reloader.reload("SIGHUP"));
        } finally {
            h.flush();
            jul.removeHandler(h);
        }
        assertEquals(1L, counted.get("pmtud_config_reloads_totalinvalid"), counted.toString());
        assertEquals(0L, counted.get("pmtud_config_reloads_totalok"), counted.toString());
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("SIGHUP received: nothing to reload, the configuration comes from command-line flags (go-pmtud's)"
                + " and the environment; restart pmtud to change it, or run pmtud run --config FILE"), log);
    }

    /**
     * A ConfigMap volume as the kubelet lays it out: {@code pmtud.yaml -> ..data/pmtud.yaml}, {@code ..data ->
     * ..<timestamp>}; an update writes a new timestamped directory and renames a new {@code ..data} link over the old one.
     */
    @Test
    void watchConfigFollowsAConfigMapUpdate() throws Exception {
        int port = Http.freePort();
        Path volume = Files.createDirectories(dir.resolve("configmap"));
        Path first = Files.createDirectories(volume.resolve("..2026_12_01_00_00_00.000000001"));
        Files.writeString(first.resolve("pmtud.yaml"), config(port, "  - { type: log }"));
        Files.createSymbolicLink(volume.resolve("..data"), first.getFileName());
        Files.createSymbolicLink(volume.resolve("pmtud.yaml"), Path.of("..data/pmtud.yaml"));
        Path file = volume.resolve("pmtud.yaml");
        Running run = new Running("run", "--watch-config", "--config", file.toString());
        try {
            Await.until(AWAIT, "ready", () -> Http.get(port, "/readyz").status() == 200);
            assertTrue(run.err().contains("watching " + file + " for changes (--watch-config)"), run.err());

            Path second = Files.createDirectories(volume.resolve("..2026_12_01_00_01_00.000000002"));
            Files.writeString(second.resolve("pmtud.yaml"), config(port, "  - { type: log }\n  - { type: log, name: from-configmap }"));
            Files.createSymbolicLink(volume.resolve("..data_tmp"), second.getFileName());
            Files.move(volume.resolve("..data_tmp"), volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            Files.delete(first.resolve("pmtud.yaml"));
            Files.delete(first);

            Await.until(AWAIT, () -> "the reload after the swap; log:\n" + run.err(), () -> reloads(port, "ok") == 1);
            assertTrue(hasSink(port, "from-configmap"), run.err());
            assertTrue(run.err().contains("the configuration file " + file + " changed"), run.err());
            assertTrue(run.err().contains("a change of " + file + ": reloading " + file), run.err());
            assertEquals(Main.OK, run.stop());
        } finally {
            run.stop.trigger("SIGTERM");
        }
    }

    /** The real signal to a real process: it reloads and goes on (it used to die with 129, leaving its rule behind). */
    @Test
    void sighupReloadsTheProcessInsteadOfKillingIt() throws Exception {
        int port = Http.freePort();
        Path file = dir.resolve("sighup.yaml");
        Files.writeString(file, config(port, "  - { type: log }"));
        Path log = dir.resolve("daemon.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", file.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until(Duration.ofSeconds(30), "the daemon to be ready", () -> Http.get(port, "/readyz").status() == 200);
            Files.writeString(file, config(port, "  - { type: log }\n  - { type: log, name: after-sighup }"));
            Cmd.run("kill", "-HUP", String.valueOf(p.pid()));
            Await.until(AWAIT, () -> "a reload, not an exit (" + (p.isAlive() ? "alive" : "exit " + p.exitValue()) + "); log:\n"
                    + read(log), () -> p.isAlive() && reloads(port, "ok") == 1);
            assertTrue(hasSink(port, "after-sighup"), read(log));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), read(log));
            assertEquals(0, p.exitValue(), read(log));
            assertTrue(read(log).contains("SIGHUP: reloading " + file), read(log));
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
