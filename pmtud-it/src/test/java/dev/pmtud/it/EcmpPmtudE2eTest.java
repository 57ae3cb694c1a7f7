package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.it.RawSetup.Mode;
import dev.pmtud.it.RawSetup.SourceKind;
import dev.pmtud.testkit.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The product works: with {@code bin/pmtud run} on every node of the {@link EcmpLab}, the ICMP
 * error that the router sends to node 2 reaches node 1, node 1 learns {@code mtu 1400} and the
 * 2 MB transfer that stalls without pmtud ({@link EcmpBlackHoleE2eTest}) completes, for IPv4
 * and IPv6, in each source/replication setup users come from. Setups that reach pods behind DNAT
 * (l2-unicast, the relay) fix node 1's pod as well, in the same lab. Every variant gets fresh
 * namespaces, so no learned PMTU leaks from one into the next.
 *
 * <p>Checks are collected rather than stopping at the first, so one run says everything that is
 * wrong with a variant.
 */
@Tag("netns")
class EcmpPmtudE2eTest {
    static final Duration TRANSFER_LIMIT = Duration.ofSeconds(15);
    /** JVM start plus libpcap/JNA loading on a loaded 2-core machine took up to ~30 s. */
    static final Duration READY_LIMIT = Duration.ofSeconds(60);

    /** {@code -Dpmtud.e2e.variants=nflog+l3,pcap+l2-broadcast} runs only those (default: all). */
    static Stream<PmtudSetup> variants() {
        String only = System.getProperty("pmtud.e2e.variants", "");
        return all().filter(s -> only.isBlank() || List.of(only.split(",")).contains(s.name()));
    }

    static Stream<PmtudSetup> all() {
        return Stream.of(
                new RawSetup(SourceKind.NFLOG, Mode.L3),          // the seed's go-pmtud setup, rule managed by pmtud
                new RawSetup(SourceKind.PCAP, Mode.L3),           // live capture instead of NFLOG
                new RawSetup(SourceKind.PCAP, Mode.L2_BROADCAST), // cloudflare/pmtud's setup
                // go-pmtud today: frames to each peer's MAC; the rule set up beside pmtud (initContainer); reaches the pod
                new RawSetup(SourceKind.NFLOG_EXTERNAL_RULE, Mode.L2_UNICAST),
                RelaySetup.RELAY);                                 // issue 10's relay: udp sink, udp source, inject sink
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void pmtudRepairsTheBlackHole(PmtudSetup setup, @TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        PmtudRun.Outcome o;
        long building = System.nanoTime();
        try (EcmpLab lab = EcmpLab.create()) {
            System.out.println("[e2e] " + setup.name() + ": lab built in " + (System.nanoTime() - building) / 1_000_000 + " ms");
            o = PmtudRun.run(lab, setup, dir, TRANSFER_LIMIT, READY_LIMIT);
        }
        for (String line : o.report()) {
            System.out.println("[e2e] " + setup.name() + ": " + line);
        }
        E2eSummary.append("ecmp", setup.name(), o);
        assertTrue(o.problems().isEmpty(), setup.name() + ":\n  " + String.join("\n  ", o.problems())
                + "\nreport:\n  " + String.join("\n  ", o.report()));
    }
}
