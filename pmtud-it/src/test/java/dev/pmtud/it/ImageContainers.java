package dev.pmtud.it;

import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The image ({@code make image}) run by {@code podman} on a lab's nodes as the DaemonSet runs it: in
 * the node's network namespace, UID 0 holding only NET_ADMIN and NET_RAW, no_new_privs, read-only
 * root (so /proc/sys is read-only too), the configuration directory mounted read-only with the
 * layout a Kubernetes Secret or projected volume has (files are symlinks through {@code ..data}, the
 * key mode 0400), and for the relay the host's {@code /dev/net/tun}. One container per node, named
 * after the node; {@link #removeAll} removes whatever is left.
 */
final class ImageContainers {
    /** CAP_NET_ADMIN (12) and CAP_NET_RAW (13), nothing else. */
    static final long NET_ADMIN_AND_NET_RAW = (1L << 12) | (1L << 13);
    static final String KEY_IN_CONTAINER = "/etc/pmtud/" + RelaySetup.KEY_FILE;
    static final int STOP_SECONDS = 20;

    private final List<String> podman;
    private final String image;
    private final String prefix = "pmtud-image-test-" + ProcessHandle.current().pid() + "-";

    /** @param podmanOptions podman's global options (storage driver, OCI runtime), as scripts/check-image.sh passes them */
    ImageContainers(String podmanOptions, String image) {
        this.podman = new ArrayList<>(List.of("podman"));
        if (!podmanOptions.isBlank()) {
            podman.addAll(List.of(podmanOptions.trim().split("\\s+")));
        }
        this.image = image;
    }

    String name(int node) {
        return prefix + "node" + node;
    }

    /** Starts the image on a node; with {@code tun} the host's /dev/net/tun is passed in (the relay's inject sink). */
    PmtudRun.Starter starter(boolean tun) {
        return (ns, n, yaml, dir) -> PmtudDaemon.startOnHost(ns, n, yaml, dir, config -> {
            try {
                return runCommand(ns, n, secretLikeDirectory(config, dir.resolve("etc-node" + n)), tun);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, with("stop", "--time", String.valueOf(STOP_SECONDS), name(n)));
    }

    /**
     * {@code podman run} in the node's namespace, with the least privilege the daemon needs and the
     * configuration directory mounted read-only at /etc/pmtud.
     */
    List<String> runCommand(Netns ns, int n, Path etc, boolean tun) {
        List<String> cmd = with("run", "--rm", "--name", name(n),
                "--network", "ns:/run/netns/" + ns.name(),
                "--user", "0", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW",
                "--security-opt", "no-new-privileges", "--read-only", "--tmpfs", "/tmp:rw,exec,nosuid,nodev,size=16m",
                // podman as root raises RLIMIT_NOFILE/NPROC to 1048576/4194304 by default, which
                // fails where the engine lacks CAP_SYS_RESOURCE (this VM kind); pmtud needs far less
                "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
                "-v", etc + ":/etc/pmtud:ro");
        if (tun) {
            cmd.addAll(List.of("--device", "/dev/net/tun"));
        }
        cmd.addAll(List.of(image, "run", "--config", "/etc/pmtud/pmtud.yaml"));
        return cmd;
    }

    /**
     * What the kubelet makes of a ConfigMap and a Secret projected into one directory: the files in
     * a timestamped directory, {@code ..data} pointing at it, each name a symlink through
     * {@code ..data}; the configuration 0644, the relay key (when the test wrote one beside the
     * configuration) 0400.
     */
    static Path secretLikeDirectory(Path config, Path etc) throws IOException {
        Path data = Files.createDirectories(etc.resolve("..2026_12_01_00_00_00.000000001"));
        Files.copy(config, data.resolve("pmtud.yaml"));
        Files.setPosixFilePermissions(data.resolve("pmtud.yaml"), PosixFilePermissions.fromString("rw-r--r--"));
        List<String> files = new ArrayList<>(List.of("pmtud.yaml"));
        Path key = config.resolveSibling(RelaySetup.KEY_FILE);
        if (Files.exists(key)) {
            Files.copy(key, data.resolve(RelaySetup.KEY_FILE));
            Files.setPosixFilePermissions(data.resolve(RelaySetup.KEY_FILE), PosixFilePermissions.fromString("r--------"));
            files.add(RelaySetup.KEY_FILE);
        }
        Files.createSymbolicLink(etc.resolve("..data"), data.getFileName());
        for (String f : files) {
            Files.createSymbolicLink(etc.resolve(f), Path.of("..data", f));
        }
        return etc;
    }

    /**
     * The container's main process: UID 0, exactly NET_ADMIN and NET_RAW (effective, permitted,
     * bounding), no_new_privs; its root and /proc/sys mounted read-only (so the inject sink's
     * settings cannot have come through /proc/sys).
     */
    void checkPrivileges(int n, List<String> problems) {
        Cmd.Result pid = Cmd.exec(with("inspect", "--format", "{{.State.Pid}}", name(n)), 60);
        if (pid.exitCode() != 0) {
            problems.add("podman inspect " + name(n) + ": " + pid);
            return;
        }
        Path proc = Path.of("/proc", pid.stdout().strip());
        try {
            String status = Files.readString(proc.resolve("status"));
            for (String field : List.of("CapEff", "CapPrm", "CapBnd")) {
                long caps = Long.parseUnsignedLong(field(status, field), 16);
                if (caps != NET_ADMIN_AND_NET_RAW) {
                    problems.add("node" + n + ": " + field + " of the container's process is " + Long.toHexString(caps)
                            + ", expected exactly NET_ADMIN and NET_RAW (" + Long.toHexString(NET_ADMIN_AND_NET_RAW) + ")");
                }
            }
            if (!"1".equals(field(status, "NoNewPrivs")) || !"0".equals(field(status, "Uid").split("\\s+")[0])) {
                problems.add("node" + n + ": the container's process should be UID 0 with no_new_privs: " + status);
            }
            String mounts = Files.readString(proc.resolve("mountinfo"));
            for (String point : List.of("/", "/proc/sys")) {
                if (!readOnly(mounts, point)) {
                    problems.add("node" + n + ": " + point + " should be mounted read-only in the container; mountinfo:\n" + mounts);
                }
            }
        } catch (IOException e) {
            problems.add("node" + n + ": cannot read the container's process " + proc + ": " + e);
        }
    }

    /** Whether the last mount at {@code point} (the one in effect) is read-only ({@code ro} in its per-mount options). */
    static boolean readOnly(String mountinfo, String point) {
        Boolean ro = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 5 && f[4].equals(point)) {
                ro = List.of(f[5].split(",")).contains("ro");
            }
        }
        return Boolean.TRUE.equals(ro);
    }

    /** Removes every container of this run still there (after a failure). */
    void removeAll() {
        for (int n = 1; n <= ClusterLab.NODES; n++) {
            Cmd.exec(with("rm", "--force", "--ignore", name(n)), 60);
        }
    }

    static String field(String procStatus, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(.+)$").matcher(procStatus);
        return m.find() ? m.group(1).strip() : "";
    }

    List<String> with(String... args) {
        List<String> cmd = new ArrayList<>(podman);
        cmd.addAll(List.of(args));
        return cmd;
    }
}
