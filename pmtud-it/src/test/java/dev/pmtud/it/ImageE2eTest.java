package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.it.ClusterLab.Owner;
import dev.pmtud.it.RawSetup.Mode;
import dev.pmtud.it.RawSetup.SourceKind;
import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image ({@code make image}) does the job: started with {@code podman} on the
 * {@link EcmpLab}'s node 2 (the node the router's ICMP errors reach), in that node's network
 * namespace, as UID 0 holding only NET_ADMIN and NET_RAW, no_new_privs, read-only root, it installs
 * its NFLOG rule, relays the errors to node 1 so that the 2 MB transfers complete for IPv4 and
 * IPv6, and on {@code podman stop} (the image's STOPSIGNAL, SIGTERM) exits 0 and removes its rules.
 *
 * <p>{@code make check-image} runs it with {@code -Dpmtud.image=localhost/pmtud:VERSION}; without
 * that property it is skipped, loudly. {@code -Dpmtud.podman} holds podman's global options
 * (storage driver, OCI runtime): see the Makefile for why.
 */
@Tag("netns")
@Tag("image")
class ImageE2eTest {
    static final Duration READY_LIMIT = Duration.ofSeconds(60);
    static final Duration TRANSFER_LIMIT = Duration.ofSeconds(15);
    static final Duration STOP_LIMIT = Duration.ofSeconds(20);
    /** CAP_NET_ADMIN (12) and CAP_NET_RAW (13), nothing else. */
    static final long NET_ADMIN_AND_NET_RAW = (1L << 12) | (1L << 13);

    @Test
    void theImageRepairsTheBlackHoleWithTwoCapabilitiesAndStopsCleanly(@TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        String image = System.getProperty("pmtud.image", "");
        if (image.isBlank()) {
            System.err.println("!!! SKIPPED: ImageE2eTest needs -Dpmtud.image=NAME (make check-image builds the image and sets it)");
        }
        Assumptions.assumeFalse(image.isBlank(), "SKIPPED LOUDLY: no -Dpmtud.image");
        List<String> podman = new ArrayList<>(List.of("podman"));
        podman.addAll(List.of(System.getProperty("pmtud.podman", "--storage-driver vfs").trim().split("\\s+")));
        String container = "pmtud-image-test-" + ProcessHandle.current().pid();
        Path confDir = Files.createDirectories(dir.resolve("etc-pmtud"));

        List<String> problems = new ArrayList<>();
        try (EcmpLab lab = EcmpLab.create()) {
            int node = EcmpLab.ICMP_TARGET;
            Netns ns = lab.node(node);
            PmtudDaemon daemon = PmtudDaemon.startOnHost(ns, node, new RawSetup(SourceKind.NFLOG, Mode.L3).config(lab.plan, node, confDir), confDir,
                    config -> runCommand(podman, container, image, ns, config));
            try {
                daemon.awaitReady(READY_LIMIT);
                PmtudSetup.checkNflogRule(ns, node, true, problems);
                checkPrivileges(podman, container, problems);
                for (Family f : Family.values()) {
                    Transfers.Transfer t = Transfers.run(lab, Owner.HOST, f, TRANSFER_LIMIT);
                    System.out.println("[image] " + f + ": " + t.bulk() + "; node1: " + t.ownerRoute());
                    if (!t.control().complete()) {
                        problems.add(f + ": the small control transfer failed (the lab is broken, not pmtud): " + t.control());
                    }
                    if (!t.bulk().complete()) {
                        problems.add(f + ": with the image on node2 the 2 MB transfer should complete, got " + t.bulk());
                    }
                    if (EcmpLab.mtuOf(t.ownerRoute()) != EcmpLab.BOTTLENECK_MTU) {
                        problems.add(f + ": node1 should have learned mtu " + EcmpLab.BOTTLENECK_MTU + ": " + t.ownerRoute());
                    }
                }
                double forwarded = daemon.metrics().sum(CounterChecks.FORWARDED);
                if (forwarded < 2) {
                    problems.add("the container's " + CounterChecks.FORWARDED + " is " + forwarded + ", expected at least one per family");
                }
                // What a kubelet or `podman stop` does: the image's STOPSIGNAL (SIGTERM), then wait.
                Cmd.Result stop = Cmd.exec(with(podman, "stop", "--time", String.valueOf(STOP_LIMIT.toSeconds()), container), 60);
                int exit = daemon.awaitExit(STOP_LIMIT.plusSeconds(10));
                if (stop.exitCode() != 0 || exit != 0) {
                    problems.add("podman stop: " + stop + "; the container should exit 0 on SIGTERM, exit status " + exit);
                }
                PmtudSetup.checkNflogRule(ns, node, false, problems);
            } finally {
                if (!problems.isEmpty() || daemon.alive()) {
                    System.out.println("[image] container log:\n" + daemon.logText());
                }
                daemon.close();
                Cmd.exec(with(podman, "rm", "--force", "--ignore", container), 60);
            }
        }
        assertTrue(problems.isEmpty(), "the image on node2:\n  " + String.join("\n  ", problems));
    }

    /**
     * {@code podman run} in the node's namespace, with the least privilege the daemon needs and the
     * configuration directory mounted read-only at /etc/pmtud.
     */
    static List<String> runCommand(List<String> podman, String container, String image, Netns ns, Path config) {
        return with(podman, "run", "--rm", "--name", container,
                "--network", "ns:/run/netns/" + ns.name(),
                "--user", "0", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW",
                "--security-opt", "no-new-privileges", "--read-only", "--tmpfs", "/tmp:rw,exec,nosuid,nodev,size=16m",
                // podman as root raises RLIMIT_NOFILE/NPROC to 1048576/4194304 by default, which
                // fails where the engine lacks CAP_SYS_RESOURCE (this VM kind); pmtud needs far less
                "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
                "-v", config.getParent() + ":/etc/pmtud:ro",
                image, "run", "--config", "/etc/pmtud/" + config.getFileName());
    }

    /** The container's main process: UID 0, only NET_ADMIN and NET_RAW effective and bounding, no_new_privs. */
    static void checkPrivileges(List<String> podman, String container, List<String> problems) throws IOException {
        Cmd.Result pid = Cmd.exec(with(podman, "inspect", "--format", "{{.State.Pid}}", container), 60);
        if (pid.exitCode() != 0) {
            problems.add("podman inspect " + container + ": " + pid);
            return;
        }
        String status = Files.readString(Path.of("/proc", pid.stdout().strip(), "status"));
        for (String field : List.of("CapEff", "CapPrm", "CapBnd")) {
            long caps = Long.parseUnsignedLong(field(status, field), 16);
            if (caps != NET_ADMIN_AND_NET_RAW) {
                problems.add(field + " of the container's process is " + Long.toHexString(caps) + ", expected exactly NET_ADMIN and NET_RAW ("
                        + Long.toHexString(NET_ADMIN_AND_NET_RAW) + ")");
            }
        }
        assertEquals("1", field(status, "NoNewPrivs"), "no_new_privs set in the container");
        assertEquals("0", field(status, "Uid").split("\\s+")[0], "the daemon runs as UID 0 (see the Dockerfile for why)");
    }

    static String field(String procStatus, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(.+)$").matcher(procStatus);
        assertTrue(m.find(), name + " in /proc/PID/status");
        return m.group(1).strip();
    }

    static List<String> with(List<String> podman, String... args) {
        List<String> cmd = new ArrayList<>(podman);
        cmd.addAll(List.of(args));
        return cmd;
    }
}
