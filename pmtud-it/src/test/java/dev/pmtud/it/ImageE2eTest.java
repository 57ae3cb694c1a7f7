package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.it.RawSetup.Mode;
import dev.pmtud.it.RawSetup.SourceKind;
import dev.pmtud.testkit.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The container image ({@code make image}) does the job, run as the DaemonSet runs it
 * ({@link ImageContainers}: UID 0 with only NET_ADMIN and NET_RAW, no_new_privs, read-only root and
 * /proc/sys, the configuration and key mounted read-only like a Kubernetes Secret) on every node of
 * an {@link EcmpLab}, with the whole end-to-end scenario and its checks ({@link PmtudRun}):
 * <ul>
 *   <li>{@code nflog+l3} (the go-pmtud-compat overlay): the managed NFLOG rule and raw sockets; the
 *       host transfers complete for IPv4 and IPv6;
 *   <li>{@code nflog+udp-relay} (the Kubernetes base): the signed relay and the inject sink with the
 *       host's {@code /dev/net/tun}, its TUN device set up over rtnetlink (/proc/sys is read-only);
 *       the host transfers and the pod's behind DNAT complete, for IPv4 and IPv6.
 * </ul>
 * Then {@code podman stop} (the image's STOPSIGNAL, SIGTERM, as a kubelet sends it): exit 0, rules
 * and TUN device gone.
 *
 * <p>{@code make check-image} (and so {@code make test} as root) runs it with
 * {@code -Dpmtud.image=localhost/pmtud:VERSION}; without that property it is skipped, loudly.
 * {@code -Dpmtud.podman} holds podman's global options (storage driver, OCI runtime): see
 * docs/image.md for why.
 */
@Tag("netns")
@Tag("image")
class ImageE2eTest {
    /** Three containers at once: vfs copies each one's root, then a JVM starts on 2 busy cores. */
    static final Duration READY_LIMIT = Duration.ofSeconds(90);
    static final Duration TRANSFER_LIMIT = Duration.ofSeconds(15);

    static Stream<PmtudSetup> setups() {
        return Stream.of(new RawSetup(SourceKind.NFLOG, Mode.L3), RelaySetup.RELAY);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void theImageRepairsTheBlackHoleWithTwoCapabilitiesAndStopsCleanly(PmtudSetup setup, @TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        String image = System.getProperty("pmtud.image", "");
        if (image.isBlank()) {
            System.err.println("!!! SKIPPED: ImageE2eTest needs -Dpmtud.image=NAME (make check-image builds the image and sets it)");
        }
        Assumptions.assumeFalse(image.isBlank(), "SKIPPED LOUDLY: no -Dpmtud.image");
        ImageContainers containers = new ImageContainers(System.getProperty("pmtud.podman", "--storage-driver vfs"), image);
        InContainer inImage = new InContainer(setup, containers);
        PmtudRun.Outcome o;
        long building = System.nanoTime();
        try (EcmpLab lab = EcmpLab.create()) {
            System.out.println("[image] " + inImage.name() + ": lab built in " + (System.nanoTime() - building) / 1_000_000 + " ms");
            o = PmtudRun.run(lab, inImage, dir, TRANSFER_LIMIT, READY_LIMIT, containers.starter(inImage.injects()));
        } finally {
            containers.removeAll();
        }
        for (String line : o.report()) {
            System.out.println("[image] " + inImage.name() + ": " + line);
        }
        assertTrue(o.problems().isEmpty(), inImage.name() + ":\n  " + String.join("\n  ", o.problems())
                + "\nreport:\n  " + String.join("\n  ", o.report()));
    }
}
