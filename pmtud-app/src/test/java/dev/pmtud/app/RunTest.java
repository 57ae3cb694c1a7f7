package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.SampleCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pmtud run}: the HTTP endpoints, readiness, and stopping on a signal. */
class RunTest {
    private static final Duration STOP_WITHIN = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    /** A daemon running in this process on its own thread, with its streams captured. */
    private static final class Running {
        final StopSignal stop = new StopSignal();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Integer> status;

        Running(String... args) {
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            Cli cli = new Cli(o, e, name -> null, stop);
            status = CompletableFuture.supplyAsync(() -> Main.run(cli, args));
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private Path idleConfig(String gate, String metrics) throws Exception {
        Path config = dir.resolve("run.yaml");
        Files.writeString(config, """
                node: run-test
                metrics: %s
                sources: [ { type: test-idle, gate: %s } ]
                filters: [ { type: dedup, window: 1s } ]
                sinks: [ { type: log } ]
                """.formatted(metrics, gate));
        return config;
    }

    @Test
    void readyzNamesAFailingSinkWithItsReasonAndTurns200WhenItRecovers() throws Exception {
        int port = Http.freePort();
        String name = "readyz-" + port;
        Path config = dir.resolve("health.yaml");
        Files.writeString(config, """
                node: run-test
                metrics: { listen: "127.0.0.1:%d" }
                sources: [ { type: test-idle } ]
                sinks: [ { type: test-health, name: relay, switch: %s } ]
                """.formatted(port, name));
        Running run = new Running("run", "--config", config.toString());
        Await.until(Duration.ofSeconds(10), "/readyz to turn 200", () -> Http.get(port, "/readyz").status() == 200);
        assertEquals("ready\n", Http.get(port, "/readyz").body());

        HealthSinkFactory.set(name, dev.pmtud.api.Health.failing("interface eth0 is gone since 2026-12-01T12:00:00Z"));
        Http.Response failing = Http.get(port, "/readyz");
        assertEquals(503, failing.status());
        assertEquals("pipeline main, sink relay: interface eth0 is gone since 2026-12-01T12:00:00Z\n", failing.body());
        assertEquals(200, Http.get(port, "/healthz").status(), "/healthz is about the process being alive");
        assertTrue(Pattern.compile("(?m)^pmtud_sink_failing\\{[^}]*sink=\"relay\"[^}]*} 1\\.0$")
                .matcher(Http.get(port, "/metrics").body()).find(), "the failing gauge");

        HealthSinkFactory.set(name, dev.pmtud.api.Health.OK);
        assertEquals(200, Http.get(port, "/readyz").status());
        run.stop.trigger("SIGTERM");
        assertEquals(Main.OK, run.status.get(STOP_WITHIN.toMillis() + 3000, TimeUnit.MILLISECONDS), run.err());
    }

    @Test
    void endpointsReadinessAndStopWithinTwoSeconds() throws Exception {
        int port = Http.freePort();
        String gate = "endpoints-" + port;
        Running run = new Running("run", "--config", idleConfig(gate, "{ listen: \"127.0.0.1:" + port + "\" }").toString());

        Await.until(Duration.ofSeconds(10), "the metrics server", () -> Http.get(port, "/healthz").status() != -1);
        // The source is still opening (its gate is closed): alive, not ready, and counters exist at zero.
        assertEquals(200, Http.get(port, "/healthz").status());
        assertEquals(503, Http.get(port, "/readyz").status());
        String metrics = Http.get(port, "/metrics").body();
        assertTrue(Pattern.compile("(?m)^pmtud_received_total\\{[^}]*node=\"run-test\"[^}]*source=\"test-idle\"[^}]*} 0\\.0$")
                .matcher(metrics).find(), metrics);
        assertTrue(Pattern.compile("(?m)^pmtud_forwarded_total\\{[^}]*} 0\\.0$").matcher(metrics).find(), metrics);
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM basics are exported");
        assertEquals(404, Http.get(port, "/nothing").status());

        IdleSourceFactory.open(gate);
        Await.until(Duration.ofSeconds(10), "/readyz to turn 200", () -> Http.get(port, "/readyz").status() == 200);
        assertEquals(200, Http.get(port, "/healthz").status());

        long t0 = System.nanoTime();
        run.stop.trigger("SIGTERM");
        int status = run.status.get(STOP_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        long took = System.nanoTime() - t0;
        assertEquals(Main.OK, status, run.err());
        assertTrue(took < STOP_WITHIN.toNanos(), "stopped in " + took / 1_000_000 + " ms");
        assertTrue(run.err().contains("SIGTERM received; stopping"), run.err());
        assertEquals(-1, Http.get(port, "/healthz").status(), "the server is gone after stop");
    }

    @Test
    void metricsDisabledMeansNoServer() throws Exception {
        int port = Http.freePort();
        String gate = "disabled-" + port;
        IdleSourceFactory.open(gate);
        Running run = new Running("run", "--config",
                idleConfig(gate, "{ enabled: false, listen: \"127.0.0.1:" + port + "\" }").toString());
        Await.until(Duration.ofSeconds(10), "the pipeline to start", () -> run.err().contains("Pipeline: pipeline main on run-test started"));
        assertEquals(-1, Http.get(port, "/metrics").status(), "nothing listens on " + port);
        run.stop.trigger("SIGINT");
        assertEquals(Main.OK, run.status.get(STOP_WITHIN.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void portInUseIsOneLineAndExit1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Running run = new Running("run", "--config", idleConfig("never", "{ listen: \"127.0.0.1:" + port + "\" }").toString());
            assertEquals(Main.FAILED, run.status.get(10, TimeUnit.SECONDS));
            List<String> errors = run.err().lines().filter(l -> l.startsWith("pmtud: ")).toList();
            assertEquals(1, errors.size(), run.err());
            assertTrue(errors.get(0).contains("cannot listen for metrics on 127.0.0.1:" + port), run.err());
            assertTrue(!run.err().contains("\tat "), run.err());
        }
    }

    @Test
    void fileSourceEndsTheRunWithDecisionsAndExit0() throws Exception {
        Path capture = dir.resolve("in.pcap");
        SampleCapture.write(capture);
        Path config = dir.resolve("file.yaml");
        Files.writeString(config, """
                metrics: { enabled: false }
                sources: [ { type: pcap-file, path: "%s" } ]
                filters: [ { type: dedup, window: 1s } ]
                """.formatted(capture));
        Running run = new Running("run", "--decisions", "--config", config.toString());
        assertEquals(Main.OK, run.status.get(20, TimeUnit.SECONDS), run.err());
        assertEquals(SampleCapture.entries().size(), run.out().lines().count(), "one decision line per record: " + run.out());
        assertTrue(run.err().contains("every source has ended; stopping"), run.err());
    }

    @Test
    void startFailureIsOneLineAndExit1() throws Exception {
        Path config = dir.resolve("bad-start.yaml");
        Files.writeString(config, """
                metrics: { enabled: false }
                sources: [ { type: pcap-file, path: "%s" } ]
                """.formatted(dir.resolve("absent.pcap")));
        Running run = new Running("run", "--config", config.toString());
        assertEquals(Main.FAILED, run.status.get(10, TimeUnit.SECONDS));
        assertTrue(run.err().lines().anyMatch(l -> l.startsWith("pmtud: ") && l.contains("absent.pcap")), run.err());
    }

    @Test
    void twoPipelinesDecideApartAndEachLogsItsSummary() throws Exception {
        Path capture = dir.resolve("in.pcap");
        SampleCapture.write(capture);
        int entries = SampleCapture.entries().size();
        Path config = dir.resolve("two.yaml");
        Files.writeString(config, """
                metrics: { enabled: false }
                pipelines:
                  - name: relay
                    sources: [ { type: pcap-file, path: "%1$s" } ]
                    filters: [ { type: dedup, window: 1s } ]
                  - name: receive
                    sources: [ { type: pcap-file, path: "%1$s" } ]
                    sinks: [ { type: test-inject, device: tun9, note: "mind the gap" } ]
                """.formatted(capture));
        Running run = new Running("run", "--decisions", "--config", config.toString());
        assertEquals(Main.OK, run.status.get(20, TimeUnit.SECONDS), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(entries, lines.stream().filter(l -> l.contains("Z [relay] ")).count(), run.out());
        assertEquals(entries, lines.stream().filter(l -> l.contains("Z [receive] ")).count(), run.out());
        assertTrue(run.err().contains("Pipeline: pipeline relay on "), run.err());
        assertTrue(run.err().contains("Daemon: pipeline relay summary: received " + entries), run.err());
        assertTrue(run.err().contains("Daemon: pipeline receive summary: received " + entries), run.err());
        assertEquals(1, run.err().lines().filter(l -> l.contains("INFO  Daemon: note: pipeline receive, sink test-inject: mind the gap")).count(),
                "the note is logged once: " + run.err());
    }

    /** With no rules.interface, the default route's is only known at start: refused there when a sink injects into it. */
    @Test
    void managedRuleOnTheDefaultRouteInterfaceIsRefusedWhenASinkInjectsThere() throws Exception {
        String route = Cmd.run("ip", "-o", "route", "show", "default").stdout();
        Matcher dev = Pattern.compile("\\bdev (\\S+)").matcher(route);
        assumeTrue(dev.find(), "needs a default route: " + route);
        Path config = dir.resolve("rule.yaml");
        Files.writeString(config, """
                metrics: { enabled: false }
                sources: [ { type: nflog, group: 33 } ]
                sinks: [ { type: test-inject, device: "%s" } ]
                rules: { manage: true }
                """.formatted(dev.group(1)));
        Running run = new Running("run", "--config", config.toString());
        assertEquals(Main.FAILED, run.status.get(10, TimeUnit.SECONDS), run.err());
        List<String> errors = run.err().lines().filter(l -> l.startsWith("pmtud: ")).toList();
        assertEquals(List.of("pmtud: rules: the managed rule would be bound to " + dev.group(1) + " (the default route's interface),"
                + " a device a sink injects relayed packets into [" + dev.group(1) + "], and log them again (a loop);"
                + " set rules.interface to the uplink, like eth0"), errors, run.err());
        assertFalse(run.err().contains("iptables rules in place"), "refused before any rule was installed: " + run.err());
    }

    /** The real thing: a separate JVM, a real SIGTERM, exit status 0 within two seconds. */
    @Test
    void sigtermStopsTheProcessWithExit0() throws Exception {
        int port = Http.freePort();
        Path config = dir.resolve("sigterm.yaml");
        Files.writeString(config, """
                node: sigterm-test
                metrics: { listen: "127.0.0.1:%d" }
                sources: [ { type: test-idle } ]
                """.formatted(port));
        Path log = dir.resolve("daemon.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until(Duration.ofSeconds(30), "the daemon to be ready", () -> Http.get(port, "/readyz").status() == 200);
            long t0 = System.nanoTime();
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(STOP_WITHIN.toMillis(), TimeUnit.MILLISECONDS),
                    "exited within " + STOP_WITHIN + ": " + Files.readString(log));
            long took = System.nanoTime() - t0;
            assertEquals(0, p.exitValue(), Files.readString(log));
            assertTrue(Files.readString(log).contains("SIGTERM received; stopping"), Files.readString(log));
            assertTrue(took < STOP_WITHIN.toNanos());
        } finally {
            p.destroyForcibly();
        }
    }
}
