package dev.pmtud.testkit;

import dev.pmtud.sys.Linux;
import dev.pmtud.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace made for one test and deleted after it, even when the test fails:
 * <pre>
 *   Netns.assumeRoot();
 *   try (Netns node = Netns.create("node"); Netns peer = Netns.create("peer")) {
 *       Netns.veth(node, "eth0", peer, "eth0");
 *       node.exec("ip", "addr", "add", "192.0.2.1/24", "dev", "eth0");
 *       ...
 *   }
 * </pre>
 * Names are {@code pmtud-<pid>-<n>-<role>}: unique per run, so parallel runs never collide, and
 * namespaces of runs whose process is gone are removed by {@link #removeStale()} on the next start.
 * A JVM shutdown hook deletes whatever this run still holds.
 */
public final class Netns implements AutoCloseable {
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<Netns> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Netns n : List.copyOf(OPEN)) {
                n.close();
            }
        }, "netns-cleanup"));
    }

    private final String name;
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());

    private Netns(String name) {
        this.name = name;
    }

    /**
     * Skips the calling test when not root, loudly: on stderr and in the skip reason. CI runs as
     * root, so there these tests always run.
     */
    public static void assumeRoot() {
        boolean root = Sys.isRoot();
        if (!root) {
            System.err.println("!!! SKIPPED: this test needs root (network namespaces, raw sockets, iptables). "
                    + "Run `make test` as root; CI does.");
        }
        Assumptions.assumeTrue(root, "SKIPPED LOUDLY: needs root for network namespaces");
    }

    /** Creates {@code pmtud-<pid>-<n>-<role>} with loopback up. */
    public static Netns create(String role) {
        removeStale();
        String name = "pmtud-" + PID + "-" + COUNTER.incrementAndGet() + "-" + role;
        Cmd.run("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        OPEN.add(ns);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** Deletes namespaces left by earlier runs whose process no longer exists. */
    public static synchronized void removeStale() {
        Path dir = Path.of("/var/run/netns");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String n = p.getFileName().toString();
                String[] parts = n.split("-");
                if (parts.length >= 3 && parts[0].equals("pmtud")) {
                    try {
                        long pid = Long.parseLong(parts[1]);
                        if (pid != PID && ProcessHandle.of(pid).isEmpty()) {
                            Cmd.exec(List.of("ip", "netns", "del", n));
                        }
                    } catch (NumberFormatException ignored) {
                        // not one of ours
                    }
                }
            }
        } catch (IOException ignored) {
            // nothing to clean
        }
    }

    /** A veth pair with one end in each namespace, both up. */
    public static void veth(Netns a, String ifA, Netns b, String ifB) {
        a.exec("ip", "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", b.name);
        a.exec("ip", "link", "set", ifA, "up");
        b.exec("ip", "link", "set", ifB, "up");
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace; throws when it fails. */
    public Cmd.Result exec(String... command) {
        return execAllowingFailure(command).orThrow();
    }

    public Cmd.Result execAllowingFailure(String... command) {
        return Cmd.exec(inside(command));
    }

    /** {@code command} prefixed with {@code ip netns exec <name>}. */
    private List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full;
    }

    /**
     * Starts a long-running command inside the namespace, output to {@code log}. It is killed by
     * {@link #close()} if still running.
     */
    public Process start(Path log, String... command) throws IOException {
        Process p = new ProcessBuilder(inside(command)).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        processes.add(p);
        return p;
    }

    /**
     * Runs {@code body} on a new thread that has entered this namespace (setns), so sockets it
     * opens live here. Sockets stay in the namespace after the thread ends, so a source or sink
     * opened this way can then be used from any thread.
     */
    public <T> T call(Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            int fd = Sys.LIBC.open("/var/run/netns/" + name, 0x80000 /* O_RDONLY|O_CLOEXEC */);
            Sys.check(fd, "open netns " + name);
            try {
                Sys.check(Sys.LIBC.setns(fd, Linux.CLONE_NEWNET), "setns " + name);
            } finally {
                Sys.LIBC.close(fd);
            }
            return body.call();
        });
        Thread t = new Thread(task, "in-" + name);
        t.start();
        try {
            return task.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception) {
                throw (Exception) c;
            }
            throw e;
        }
    }

    /** Stops the processes started here and deletes the namespace. Idempotent. */
    @Override
    public void close() {
        synchronized (processes) {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                try {
                    if (!p.waitFor(3, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            processes.clear();
        }
        if (OPEN.remove(this)) {
            Cmd.exec(List.of("ip", "netns", "del", name));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
