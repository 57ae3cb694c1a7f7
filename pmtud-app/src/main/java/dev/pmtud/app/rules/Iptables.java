package dev.pmtud.app.rules;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one family's iptables binary. Which one: {@code iptables} / {@code ip6tables} when present
 * (nft or legacy, whatever the distribution links it to), else {@code iptables-legacy} /
 * {@code ip6tables-legacy}, else {@code iptables-nft} / {@code ip6tables-nft}.
 */
final class Iptables {
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private final String binary;
    private final List<String> prefix;

    Iptables(String binary, List<String> prefix) {
        this.binary = binary;
        this.prefix = List.copyOf(prefix);
    }

    /** {@code base} is "iptables" or "ip6tables". */
    static String detect(String base) {
        for (String candidate : List.of(base, base + "-legacy", base + "-nft")) {
            if (onPath(candidate)) {
                return candidate;
            }
        }
        return base; // let the first run say it is missing
    }

    static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/sbin:/usr/local/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    String binary() {
        return binary;
    }

    /** The command as a user would type it (without the namespace prefix or the lock wait); a word with a space quoted. */
    String describe(List<String> args) {
        StringBuilder s = new StringBuilder(binary);
        for (String a : args) {
            s.append(' ').append(a.contains(" ") ? "\"" + a + "\"" : a);
        }
        return s.toString();
    }

    /**
     * Whether this binary writes nf_tables (iptables-nft: its rules are nf_tables objects, their
     * changes announced) rather than the legacy ip_tables: its name says so, else {@code -V} does
     * ({@code iptables v1.8.9 (nf_tables)}).
     */
    boolean speaksNftables() {
        if (binary.endsWith("-nft")) {
            return true;
        }
        if (binary.endsWith("-legacy")) {
            return false;
        }
        try {
            return run(List.of("-V")).stdout().contains("nf_tables");
        } catch (RuleException e) {
            return false; // not installed: the first real command says so
        }
    }

    Result run(List<String> args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(binary);
        command.add("-w"); // wait for the xtables lock instead of failing when another tool holds it
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread o = pump(p.getInputStream(), out);
            Thread e = pump(p.getErrorStream(), err);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RuleException(describe(args) + " did not finish in 30 s");
            }
            o.join();
            e.join();
            return new Result(p.exitValue(), out.toString(), err.toString());
        } catch (IOException ex) {
            throw new RuleException("cannot run " + binary + " (" + ex.getMessage() + "); install iptables or set rules.manage: false");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new RuleException(describe(args) + " interrupted");
        }
    }

    /** Runs and throws a one-line {@link RuleException} when the command fails. */
    Result runOrThrow(List<String> args) {
        Result r = run(args);
        if (!r.ok()) {
            String reason = r.stderr().strip().lines().findFirst().orElse("exit status " + r.exitCode());
            throw new RuleException(describe(args) + " failed: " + reason);
        }
        return r;
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(sink);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "iptables-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
