package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.it.ClusterLab.Owner;
import dev.pmtud.testkit.Netns;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The black hole is real: without pmtud neither node 1 nor its pod behind DNAT hears about the
 * bottleneck, so a 2 MB transfer through a 1400-byte hop stalls, in IPv4 and IPv6. Needs none of
 * pmtud's code, so it also proves the rig that the "with pmtud" tests ({@link EcmpPmtudE2eTest})
 * stand on.
 */
@Tag("netns")
class EcmpBlackHoleE2eTest {

    @Test
    void withoutPmtudHostAndPodTransfersStallAndNoOwnerLearnsAnMtu() throws Exception {
        Netns.assumeRoot();
        try (EcmpLab lab = EcmpLab.create()) {
            List<String> report = new ArrayList<>();
            List<String> problems = BlackHoleChecks.verify(lab, List.of(Owner.HOST, Owner.POD), report);
            report.forEach(line -> System.out.println("[e2e] " + line));
            assertTrue(problems.isEmpty(), "ecmp lab without pmtud:\n  " + String.join("\n  ", problems)
                    + "\nreport:\n  " + String.join("\n  ", report));
        }
    }
}
