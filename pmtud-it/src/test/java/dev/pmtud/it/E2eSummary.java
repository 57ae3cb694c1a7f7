package dev.pmtud.it;

import dev.pmtud.it.ClusterLab.Owner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * The measured numbers of each variant, one table row per variant and family, appended to
 * {@code pmtud-it/<build dir>/e2e-summary.md} (and printed) so docs/e2e.md can quote a real run.
 */
final class E2eSummary {
    private E2eSummary() {
    }

    static synchronized void append(String lab, String variant, PmtudRun.Outcome o) {
        Path file = RepoPaths.root().resolve("pmtud-it").resolve(RepoPaths.buildDirName()).resolve("e2e-summary.md");
        StringBuilder rows = new StringBuilder();
        for (Family f : Family.values()) {
            List<Long> d = o.relayDelaysNanos().getOrDefault(f, List.of());
            String row = String.format("| %s | %s | %s | %s | %s | %s | %s | %s |%n", lab, variant, f,
                    millis(o, Owner.HOST, f), millis(o, Owner.POD, f),
                    o.messages().getOrDefault(f, 0),
                    d.isEmpty() ? "-" : ReplicationCheck.micros(d.get(d.size() / 2)),
                    d.isEmpty() ? "-" : ReplicationCheck.micros(d.get(0)) + " / " + ReplicationCheck.micros(d.get(d.size() - 1)));
            rows.append(row);
            System.out.print("[e2e] summary " + row);
        }
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.writeString(file, "| lab | variant | family | host transfer | pod transfer | router messages | relay delay median "
                        + "| relay delay min / max |\n|---|---|---|---|---|---|---|---|\n");
            }
            Files.writeString(file, rows, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("[e2e] cannot write " + file + ": " + e);
        }
    }

    private static String millis(PmtudRun.Outcome o, Owner owner, Family f) {
        Map<Family, Long> m = o.transferMillis().get(owner);
        if (m == null) {
            return "-";
        }
        Long ms = m.get(f);
        return ms == null ? "did not complete" : ms + " ms";
    }
}
