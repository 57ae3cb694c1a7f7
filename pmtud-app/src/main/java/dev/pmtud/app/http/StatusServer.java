package dev.pmtud.app.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pmtud.app.StartupException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text), {@code /healthz} (the process and its source threads are
 * alive) and {@code /readyz} (every source is open and running) on the JDK's small HTTP server, with
 * two daemon threads: scrapes and probes are rare, and the packet path never touches this.
 */
public final class StatusServer implements AutoCloseable {
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private StatusServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts serving {@code /metrics}, {@code /healthz} and {@code /readyz}.
     *
     * @param metrics the {@code /metrics} text (Prometheus text format 0.0.4), made per scrape
     * @throws StartupException with one line naming the address when it cannot bind
     */
    public static StatusServer start(InetSocketAddress listen, Supplier<String> metrics,
                                     BooleanSupplier healthy, BooleanSupplier ready) {
        HttpServer server = bind(listen, "metrics", "metrics.listen");
        server.createContext("/metrics", ex -> respond(ex, 200, PROMETHEUS, metrics.get()));
        probes(server, healthy, ready);
        server.createContext("/", ex -> respond(ex, 404, TEXT, "not found; try /metrics, /healthz or /readyz\n"));
        return serve(server);
    }

    /**
     * A second listener with {@code /healthz} and {@code /readyz} only ({@code metrics.health-listen}:
     * go-pmtud's health port, where its DaemonSet's probes go).
     *
     * @throws StartupException with one line naming the address when it cannot bind
     */
    public static StatusServer startHealth(InetSocketAddress listen, BooleanSupplier healthy, BooleanSupplier ready) {
        HttpServer server = bind(listen, "health probes", "metrics.health-listen");
        probes(server, healthy, ready);
        server.createContext("/", ex -> respond(ex, 404, TEXT, "not found; try /healthz or /readyz\n"));
        return serve(server);
    }

    private static HttpServer bind(InetSocketAddress listen, String what, String key) {
        if (listen.isUnresolved()) {
            listen = new InetSocketAddress(listen.getHostString(), listen.getPort());
            if (listen.isUnresolved()) {
                throw new StartupException("cannot listen for " + what + " on " + listen.getHostString() + ":" + listen.getPort()
                        + ": the host name does not resolve; use an address like 0.0.0.0 or 127.0.0.1 in " + key);
            }
        }
        try {
            return HttpServer.create(listen, 16);
        } catch (BindException e) {
            throw new StartupException("cannot listen for " + what + " on " + show(listen) + ": " + e.getMessage()
                    + "; another pmtud is probably running (`ss -tlpn` shows what holds port " + listen.getPort()
                    + "), else choose a free port in " + key + (key.equals("metrics.listen") ? " or set metrics.enabled: false" : ""));
        } catch (IOException e) {
            throw new StartupException("cannot listen for " + what + " on " + show(listen) + ": " + e.getMessage());
        }
    }

    private static void probes(HttpServer server, BooleanSupplier healthy, BooleanSupplier ready) {
        server.createContext("/healthz", ex -> probe(ex, healthy.getAsBoolean(), "alive", "a source thread has stopped"));
        server.createContext("/readyz", ex -> probe(ex, ready.getAsBoolean(), "ready", "not ready: sources are still opening"));
    }

    private static StatusServer serve(HttpServer server) {
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "pmtud-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new StatusServer(server, executor);
    }

    /** The bound address (the port is real even when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void probe(HttpExchange ex, boolean ok, String yes, String no) throws IOException {
        respond(ex, ok ? 200 : 503, TEXT, (ok ? yes : no) + "\n");
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    public static String show(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
