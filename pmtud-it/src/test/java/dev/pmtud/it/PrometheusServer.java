package dev.pmtud.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pmtud.testkit.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Debian's {@code prometheus} server in a test's namespace, on its loopback and a free port, with
 * its data in a temporary directory, scraping the given targets every second and evaluating the
 * given rule files every second. Queried through its HTTP API.
 */
final class PrometheusServer implements AutoCloseable {
    static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Netns ns;
    private final int port;
    private final Path log;
    private final Process process;

    private PrometheusServer(Netns ns, int port, Path log, Process process) {
        this.ns = ns;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Starts it and waits until it answers /-/ready. */
    static PrometheusServer start(Netns ns, Path dir, List<String> targets, List<Path> ruleFiles) throws Exception {
        int port = ns.call(() -> {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                return s.getLocalPort();
            }
        });
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }\n"
                + "rule_files: [" + ruleFiles.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(", ")) + "]\n"
                + "scrape_configs:\n  - job_name: pmtud\n    static_configs:\n      - targets: ["
                + targets.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ")) + "]\n");
        Path data = Files.createDirectories(dir.resolve("prometheus-data"));
        Path log = dir.resolve("prometheus.log");
        Process p;
        try {
            p = ns.start(log, "prometheus", "--config.file=" + config, "--storage.tsdb.path=" + data,
                    "--web.listen-address=127.0.0.1:" + port, "--log.level=warn");
        } catch (IOException e) {
            throw new AssertionError("cannot start prometheus (Debian package prometheus; make test installs it): " + e.getMessage(), e);
        }
        PrometheusServer server = new PrometheusServer(ns, port, log, p);
        try {
            server.awaitReady();
            return server;
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited with " + process.exitValue() + "; log:\n" + logText());
            }
            try {
                LoopbackHttp.Response r = LoopbackHttp.get(ns, port, "/-/ready");
                if (r.status() == 200) {
                    return;
                }
                last = r.status() + " " + r.body().strip();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100); // poll interval of an awaited condition
        }
        throw new AssertionError("prometheus not ready after " + START_LIMIT.toSeconds() + " s (" + last + "); log:\n" + logText());
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** GET an API path; its {@code data}, after checking {@code status: success}. */
    JsonNode api(String pathAndQuery) throws Exception {
        LoopbackHttp.Response r = LoopbackHttp.get(ns, port, pathAndQuery);
        JsonNode body = JSON.readTree(r.body());
        if (r.status() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("prometheus " + pathAndQuery + " answered " + r.status() + ": " + r.body());
        }
        return body.get("data");
    }

    /** An instant query: the result vector (an empty array when no series matches). */
    JsonNode query(String promql) throws Exception {
        JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!"vector".equals(data.path("resultType").asText())) {
            throw new AssertionError(promql + ": expected a vector, got " + data);
        }
        return data.get("result");
    }

    /** The sum of a query's values (0 when there is no series). */
    double sum(String promql) throws Exception {
        double total = 0;
        for (JsonNode s : query(promql)) {
            total += Double.parseDouble(s.get("value").get(1).asText());
        }
        return total;
    }

    /** Polls {@code what} until it holds; fails with the last value seen. */
    <T> T await(String description, Duration limit, Check<T> what, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = what.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + description + "; last: " + last);
            }
            Thread.sleep(200); // poll interval of an awaited condition (scrapes and rule evaluations run every second)
            last = what.get();
        }
        return last;
    }

    interface Check<T> {
        T get() throws Exception;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
