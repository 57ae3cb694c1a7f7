package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The managed rule follows reloads with either backend, as the real daemon runs them (in-process,
 * inside a namespace, SIGHUP through its stop signal): a new NFLOG group moves the rule (the new
 * one written before the old one goes), an added exclusion rewrites it, and at stop it is gone.
 * What is checked is what the kernel holds: {@code nft list ruleset} or {@code iptables -S}.
 */
@Tag("netns")
class ReloadRuleNetnsTest {
    private static final Duration AWAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static String config(String backend, int group, String excluded) {
        return """
                node: reload-rule
                metrics: { enabled: false }
                sources: [ { type: nflog, group: %d } ]
                sinks: [ { type: log } ]
                rules: { manage: true, interface: eth0, backend: %s, exclude-sources: [%s] }
                """.formatted(group, backend, excluded);
    }

    /** pmtud's capture rules as the kernel has them, one line each, both families. */
    private static List<String> rules(Netns ns, String backend) {
        String text = backend.equals("iptables")
                ? ns.exec("iptables", "-t", "raw", "-S").stdout() + ns.exec("ip6tables", "-t", "raw", "-S").stdout()
                : ns.execAllowingFailure("nft", "list", "table", "inet", "pmtud").stdout();
        return text.lines().filter(l -> l.contains("nflog-group") || l.contains("log group")).map(String::trim).toList();
    }

    private static long logTo(List<String> rules, int group) {
        return rules.stream().filter(l -> l.contains("--nflog-group " + group) || l.contains("log group " + group)).count();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nftables", "iptables"})
    void theRuleFollowsAGroupAndAnExclusionAndGoesAtStop(String backend) throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("reload-rule")) {
            Path file = dir.resolve("pmtud.yaml");
            Files.writeString(file, config(backend, 41, ""));
            CliRunner.Background daemon = CliRunner.inNetns(ns, "run", "--config", file.toString());
            try {
                Await.until(AWAIT, () -> "the first rule: " + rules(ns, backend) + "\n" + daemon.err(), () -> logTo(rules(ns, backend), 41) == 2);

                Files.writeString(file, config(backend, 42, ""));
                daemon.stop.requestReload("SIGHUP");
                Await.until(AWAIT, () -> "the rule on group 42: " + rules(ns, backend) + "\n" + daemon.err(),
                        () -> daemon.err().contains("configuration reloaded from"));
                List<String> moved = rules(ns, backend);
                assertEquals(2, logTo(moved, 42), moved + "\n" + daemon.err());
                assertEquals(0, logTo(moved, 41), "the old group's rule is gone: " + moved);
                assertEquals(2, moved.size(), moved.toString());

                Files.writeString(file, config(backend, 42, "203.0.113.0/24"));
                daemon.stop.requestReload("SIGHUP");
                Await.until(AWAIT, () -> "the second reload: " + daemon.err(),
                        () -> daemon.err().lines().filter(l -> l.contains("configuration reloaded from")).count() == 2);
                List<String> excluding = rules(ns, backend);
                assertEquals(2, excluding.size(), excluding.toString());
                assertTrue(excluding.stream().anyMatch(l -> l.contains("203.0.113.0/24") && (l.contains("--nflog-group 42") || l.contains("log group 42"))),
                        "the IPv4 rule excludes the new network: " + excluding);
            } finally {
                daemon.stop.trigger("SIGTERM");
            }
            assertEquals(Main.OK, daemon.stop(Duration.ofSeconds(10)), daemon.err());
            assertEquals(List.of(), rules(ns, backend), "removed at stop; " + daemon.err());
        }
    }
}
