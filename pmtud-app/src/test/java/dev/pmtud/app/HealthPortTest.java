package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Await;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metrics: { health-listen, go-pmtud }}: go-pmtud's health port beside pmtud's metrics port
 * (probes only there), and go-pmtud's series on {@code /metrics}.
 */
class HealthPortTest {
    @TempDir
    Path dir;

    private Path config(String gate, int metrics, int health) throws Exception {
        Path config = dir.resolve("health.yaml");
        Files.writeString(config, """
                node: health-test
                metrics: { listen: "127.0.0.1:%d", health-listen: "127.0.0.1:%d", go-pmtud: true }
                sources: [ { type: test-idle, gate: %s } ]
                """.formatted(metrics, health, gate));
        return config;
    }

    private static CompletableFuture<Integer> run(StopSignal stop, ByteArrayOutputStream err, String... args) {
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return CompletableFuture.supplyAsync(() -> Main.run(new Cli(o, e, name -> null, stop), args));
    }

    @Test
    void probesOnTheHealthPortMetricsWithGoPmtudsSeriesOnTheMetricsPort() throws Exception {
        int metrics = Http.freePort();
        int health = Http.freePort();
        String gate = "health-" + health;
        StopSignal stop = new StopSignal();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> status = run(stop, err, "run", "--config", config(gate, metrics, health).toString());

        Await.until(Duration.ofSeconds(10), "the health listener", () -> Http.get(health, "/healthz").status() != -1);
        assertEquals(200, Http.get(health, "/healthz").status(), "alive while the source opens");
        assertEquals(503, Http.get(health, "/readyz").status(), "not ready while the source opens");
        assertEquals(404, Http.get(health, "/metrics").status(), "only probes on the health port");
        IdleSourceFactory.open(gate);
        Await.until(Duration.ofSeconds(10), "/readyz on the health port to turn 200", () -> Http.get(health, "/readyz").status() == 200);
        assertEquals(200, Http.get(metrics, "/readyz").status(), "and on the metrics port, as before");

        String text = Http.get(metrics, "/metrics").body();
        assertTrue(text.contains("# TYPE go_pmtud_sent_packets_peer counter\n") && text.contains("# TYPE go_pmtud_error_total counter\n")
                && text.contains("\ngo_pmtud_recv_packets_total{node=\"health-test\",source_ip=\"\"} 0\n")
                && text.contains("\npmtud_received_total{"), "pmtud's and go-pmtud's series: " + text);

        stop.trigger("SIGTERM");
        assertEquals(Main.OK, status.get(5, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
        assertEquals(-1, Http.get(health, "/healthz").status(), "the health listener is gone after stop");
    }

    @Test
    void aHealthPortInUseIsOneLineAndExit1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int metrics = Http.freePort();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = run(new StopSignal(), err, "run", "--config", config("never", metrics, taken.getLocalPort()).toString())
                    .get(10, TimeUnit.SECONDS);
            String text = err.toString(StandardCharsets.UTF_8);
            assertEquals(Main.FAILED, status, text);
            List<String> errors = text.lines().filter(l -> l.startsWith("pmtud: ")).toList();
            assertEquals(1, errors.size(), text);
            assertTrue(errors.get(0).contains("cannot listen for health probes on 127.0.0.1:" + taken.getLocalPort())
                    && errors.get(0).contains("metrics.health-listen"), text);
            assertEquals(-1, Http.get(metrics, "/metrics").status(), "the metrics listener opened first is closed again");
        }
    }
}
