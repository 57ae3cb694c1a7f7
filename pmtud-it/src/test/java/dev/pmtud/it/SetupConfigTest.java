package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.it.RawSetup.Mode;
import dev.pmtud.it.RawSetup.SourceKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The configuration generators, without root: the relay's YAML is issue 10's contract as written
 * (checked here without root, so a typo shows before any namespace is built),
 * and docs/e2e.md shows exactly what the generators write.
 */
class SetupConfigTest {

    @Test
    void relayConfigIsTheIssuesTwoPipelineContract(@TempDir Path dir) throws Exception {
        Map<String, Object> y = new Yaml().load(RelaySetup.RELAY.config(RoutedLab.PLAN, 2, dir));
        String key = dir.resolve("relay.key").toString();
        assertEquals("node2", y.get("node"));
        assertEquals(List.of(Map.of("type", "static", "addresses",
                List.of("192.0.2.18", "192.0.2.50", "2001:db8:2:1::2", "2001:db8:2:3::2"))), y.get("peers"));
        assertEquals(List.of(
                Map.of("name", "replicate",
                        "sources", List.of(Map.of("type", "nflog", "group", 33)),
                        "filters", List.of(Map.of("type", "dedup", "window", "1s"),
                                Map.of("type", "rate-limit", "per-source", "1/s", "burst", 2)),
                        "sinks", List.of(Map.of("type", "udp", "port", 4390, "key-file", key))),
                Map.of("name", "receive",
                        "sources", List.of(Map.of("type", "udp", "listen", "[::]:4390", "key-file", key)),
                        "filters", List.of(Map.of("type", "dedup", "window", "1s")),
                        "sinks", List.of(Map.of("type", "inject", "device", "pmtud0")))), y.get("pipelines"));
        assertEquals(Map.of("manage", true, "interface", "eth0"), y.get("rules"));
        assertEquals(Map.of("listen", "127.0.0.1:9102"), y.get("metrics"));
    }

    @Test
    void everyNodeSharesOneKeyReadableByItsOwnerOnly(@TempDir Path dir) throws Exception {
        RelaySetup.RELAY.config(EcmpLab.PLAN, 1, dir);
        Path key = dir.resolve("relay.key");
        String first = Files.readString(key);
        RelaySetup.RELAY.config(EcmpLab.PLAN, 3, dir);
        assertEquals(first, Files.readString(key), "node3 must get node1's key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals(32, Base64.getDecoder().decode(first.strip()).length, "one base64 key of 32 bytes: " + first);
        assertArrayEquals(new String[] {first.strip()}, first.strip().split("\n"), "one key, one line");
    }

    @Test
    void routedL3ReplicasCanCrossTheRouterAndExcludeEveryNodeSubnet(@TempDir Path dir) {
        Map<String, Object> y = new Yaml().load(new RawSetup(SourceKind.NFLOG, Mode.L3).config(RoutedLab.PLAN, 2, dir));
        @SuppressWarnings("unchecked")
        Map<String, Object> sink = ((List<Map<String, Object>>) y.get("sinks")).get(0);
        assertTrue((Integer) sink.get("ttl") >= 2, "an l3 replica crosses one router: ttl >= 2, got " + sink);
        @SuppressWarnings("unchecked")
        Map<String, Object> filter = ((List<Map<String, Object>>) y.get("filters")).get(0);
        assertEquals(List.of("192.0.2.0/24", "2001:db8:2::/48"), filter.get("networks"));
    }

    /**
     * The go-pmtud setup's flags and variable, through {@code config-from-flags} (what the drop-in
     * runs): the relay of issue 10 unsigned, the health port beside the metrics port, the managed
     * rule; and docs/e2e.md shows both the flags and that configuration.
     */
    @Test
    void goPmtudFlagsDescribeTheUnsignedRelay(@TempDir Path dir) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("config-from-flags"));
        args.addAll(GoPmtudFlagsSetup.UDP.arguments(RoutedLab.PLAN, 2, dir.resolve("unused.yaml")));
        Map<String, String> env = new java.util.HashMap<>();
        for (String kv : GoPmtudFlagsSetup.UDP.environment(RoutedLab.PLAN, 2)) {
            env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = dev.pmtud.app.Main.run(new dev.pmtud.app.Cli(new java.io.PrintStream(out, true, "UTF-8"),
                new java.io.PrintStream(err, true, "UTF-8"), env::get, new dev.pmtud.app.StopSignal()), args.toArray(String[]::new));
        String yaml = out.toString("UTF-8");
        assertEquals(0, status, err.toString("UTF-8"));
        Map<String, Object> y = new Yaml().load(yaml);
        assertEquals("node2", y.get("node"));
        assertEquals(Map.of("listen", "127.0.0.1:9102", "health-listen", "127.0.0.1:9202", "go-pmtud", true), y.get("metrics"));
        assertEquals(List.of(Map.of("type", "static", "addresses",
                List.of("192.0.2.18", "192.0.2.50", "2001:db8:2:1::2", "2001:db8:2:3::2"))), y.get("peers"));
        assertEquals(List.of(
                Map.of("name", "replicate",
                        "sources", List.of(Map.of("type", "nflog", "group", 33)),
                        "filters", List.of(Map.of("type", "exclude-networks")),
                        "sinks", List.of(Map.of("type", "udp", "port", 4390))),
                Map.of("name", "receive",
                        "sources", List.of(Map.of("type", "udp", "listen", "[::]:4390")),
                        "sinks", List.of(Map.of("type", "inject", "device", "pmtud0")))), y.get("pipelines"));
        assertEquals(Map.of("manage", true), y.get("rules"));
        String docs = Files.readString(RepoPaths.root().resolve("docs/e2e.md"));
        assertTrue(docs.contains(String.join(" ", args.subList(1, args.size())).replace(dir.resolve("unused.yaml").toString(), "")),
                "docs/e2e.md should show node 2's flags: " + args);
        assertTrue(docs.contains("```yaml\n" + yaml + "```"), "docs/e2e.md should show, verbatim:\n" + yaml);
    }

    /** docs/e2e.md quotes node 2's generated configurations; they must be what the generators write. */
    @Test
    void docsShowTheGeneratedConfigurations(@TempDir Path dir) throws Exception {
        String docs = Files.readString(RepoPaths.root().resolve("docs/e2e.md"));
        // the test writes its key into its own directory; the docs show where a deployment keeps it
        String relay = RelaySetup.RELAY.config(RoutedLab.PLAN, 2, dir).replace(dir.resolve("relay.key").toString(), "/etc/pmtud/relay.key");
        for (String config : List.of(new RawSetup(SourceKind.NFLOG, Mode.L3).config(EcmpLab.PLAN, 2, dir), relay)) {
            assertTrue(docs.contains("```yaml\n" + config + "```"), "docs/e2e.md should show, verbatim:\n" + config);
        }
    }
}
