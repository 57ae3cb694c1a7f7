package dev.pmtud.source.pcap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Points pcap4j at the system's libpcap before pcap4j loads it.
 *
 * <p>pcap4j asks JNA for the library "pcap", that is {@code libpcap.so}, which Debian and Ubuntu
 * ship only in libpcap-dev; the runtime package libpcap0.8 installs {@code libpcap.so.0.8}. So,
 * unless the user chose a library with {@value #PROPERTY}, this finds the real file and sets the
 * property to its full path. Call {@link #ensureLoadable()} before the first use of any pcap4j
 * class that touches native code ({@code Pcaps}, {@code PcapHandle}).
 */
public final class LibPcap {
    /** pcap4j reads the library name or path from this system property, once. */
    public static final String PROPERTY = "org.pcap4j.core.pcapLibName";

    static final String NOT_FOUND = "libpcap not found: install it with `apt-get install libpcap0.8` (Debian/Ubuntu)";

    /** Preferred first: the unversioned development link, then the sonames distributions ship. */
    static final List<String> NAMES = List.of("libpcap.so", "libpcap.so.1", "libpcap.so.0.8");

    static final List<String> DIRECTORIES = List.of(
            "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/arm-linux-gnueabihf", "/lib/arm-linux-gnueabihf",
            "/usr/lib/powerpc64le-linux-gnu", "/usr/lib/s390x-linux-gnu", "/usr/lib/riscv64-linux-gnu",
            "/usr/local/lib64", "/usr/local/lib", "/usr/lib64", "/lib64", "/usr/lib", "/lib");

    private LibPcap() {
    }

    /**
     * Sets {@value #PROPERTY} to the libpcap found on this machine unless it is already set.
     *
     * @throws IOException with a one-line message saying how to install libpcap when there is none
     */
    public static synchronized void ensureLoadable() throws IOException {
        String chosen = System.getProperty(PROPERTY);
        if (chosen != null && !chosen.isBlank()) {
            return;
        }
        Optional<Path> found = find(DIRECTORIES, LibPcap::ldconfigCache);
        if (found.isEmpty()) {
            throw new IOException(NOT_FOUND);
        }
        System.setProperty(PROPERTY, found.get().toString());
    }

    /**
     * The first library file in {@code directories} (by {@link #NAMES} order), else the first match in
     * the dynamic linker's cache text ({@code ldconfig -p} output).
     */
    static Optional<Path> find(List<String> directories, java.util.function.Supplier<String> ldconfig) {
        for (String name : NAMES) {
            for (String dir : directories) {
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isReadable(p)) { // follows symlinks: dangling ones don't count
                    return Optional.of(p);
                }
            }
        }
        String cache = ldconfig.get();
        if (cache == null) {
            return Optional.empty();
        }
        for (String name : NAMES) {
            for (String line : cache.split("\n")) {
                // "	libpcap.so.0.8 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpcap.so.0.8"
                String t = line.trim();
                int arrow = t.indexOf("=>");
                if (arrow > 0 && t.startsWith(name + " ")) {
                    Path p = Path.of(t.substring(arrow + 2).trim());
                    if (Files.isRegularFile(p)) {
                        return Optional.of(p);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String ldconfigCache() {
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
            try {
                Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                List<String> lines = new ArrayList<>();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(l);
                    }
                }
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return String.join("\n", lines);
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not at this path; try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }
}
