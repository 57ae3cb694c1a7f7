package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.it.EcmpLab.Family;
import dev.pmtud.testkit.Netns;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The black hole is real: without pmtud the node that owns the connection never hears about the
 * bottleneck, so a 2 MB transfer through a 1400-byte hop stalls. Needs none of pmtud's code, so it
 * also proves the rig that the "with pmtud" tests ({@link EcmpPmtudE2eTest}) stand on.
 */
@Tag("netns")
class EcmpBlackHoleE2eTest {

    @Test
    void withoutPmtudTheTransferStallsAndTheOwnerLearnsNoMtu() throws Exception {
        Netns.assumeRoot();
        try (EcmpLab lab = EcmpLab.create()) {
            for (Family f : Family.values()) {
                EcmpScenario.Transfer t = EcmpScenario.transfer(lab, f, EcmpLab.STALL_LIMIT);
                System.out.printf("[e2e] %s without pmtud: %s; node1: %s%n", f, t.bulk(), t.ownerRoute());
                // control: small segments pass the bottleneck, so the path itself works
                assertTrue(t.control().complete(), f + " control transfer of " + EcmpLab.SMALL_SIZE + " bytes: " + t.control());
                assertTrue(!t.bulk().complete() && t.bulk().bytes() < BulkTransfer.BULK_SIZE,
                        f + ": without pmtud the transfer should stall, got " + t.bulk());
                assertEquals(-1, EcmpLab.mtuOf(t.ownerRoute()), f + ": node1 should have learned no PMTU: " + t.ownerRoute());
                // the router did send the error: to node 2, which has no use for it
                assertTrue(lab.icmpErrorsReceived(EcmpLab.ICMP_TARGET, f) > 0, f + ": node2 should have received the ICMP error");
                assertEquals(0, lab.icmpErrorsReceived(EcmpLab.OWNER, f), f + ": node1 should have received no ICMP error");
            }
        }
    }
}
