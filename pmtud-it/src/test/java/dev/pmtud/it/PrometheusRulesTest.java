package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/prometheus/pmtud-rules.yaml passes Prometheus's own checks: {@code promtool check rules},
 * and {@code promtool test rules} on pmtud-rules.test.yaml, which has, for every alert, a case
 * where it fires (and, in the same test group, times where it must not).
 */
class PrometheusRulesTest {
    static final Path DIR = RepoPaths.root().resolve("deploy/prometheus");

    /** {@code promtool ARGS} in deploy/prometheus (the test file names the rules file relative to it). */
    static Cmd.Result promtool(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("env", "-C", DIR.toString(), "promtool"));
        cmd.addAll(List.of(args));
        Cmd.Result r = Cmd.exec(cmd, 120);
        if (r.exitCode() == 127) {
            throw new AssertionError("promtool is needed (Debian package prometheus; make test installs it): " + r.stderr());
        }
        return r;
    }

    @Test
    void rulesPassPromtoolCheck() {
        Cmd.Result r = promtool("check", "rules", "pmtud-rules.yaml");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("SUCCESS: " + alerts().size() + " rules found"), r.stdout());
    }

    @Test
    void rulesPassTheirUnitTests() {
        Cmd.Result r = promtool("test", "rules", "pmtud-rules.test.yaml");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("SUCCESS"), r.stdout());
    }

    @Test
    void everyAlertHasAFiringCaseInTheUnitTests() throws Exception {
        Set<String> firing = new TreeSet<>();
        Map<String, Object> tests = KustomizeManifestsTest.map(new Yaml().load(Files.readString(DIR.resolve("pmtud-rules.test.yaml"))));
        for (Object t : KustomizeManifestsTest.list(tests.get("tests"))) {
            for (Object a : KustomizeManifestsTest.list(KustomizeManifestsTest.map(t).get("alert_rule_test"))) {
                Map<String, Object> case_ = KustomizeManifestsTest.map(a);
                if (!KustomizeManifestsTest.list(case_.get("exp_alerts")).isEmpty()) {
                    firing.add((String) case_.get("alertname"));
                }
            }
        }
        assertEquals(alerts(), firing, "alerts with a case where they fire");
        assertTrue(alerts().containsAll(Set.of("PmtudSourceLostMessages", "PmtudPeerSentErrorCountHigh", "PmtudRuleReAdded",
                "PmtudNoPeers", "PmtudRelayRefusals")), "the alerts issue 14 asks for: " + alerts());
    }

    /** Every alert name in pmtud-rules.yaml. */
    static Set<String> alerts() {
        try {
            Set<String> names = new TreeSet<>();
            Map<String, Object> rules = KustomizeManifestsTest.map(new Yaml().load(Files.readString(DIR.resolve("pmtud-rules.yaml"))));
            for (Object g : KustomizeManifestsTest.list(rules.get("groups"))) {
                for (Object r : KustomizeManifestsTest.list(KustomizeManifestsTest.map(g).get("rules"))) {
                    names.add((String) KustomizeManifestsTest.map(r).get("alert"));
                }
            }
            return names;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
