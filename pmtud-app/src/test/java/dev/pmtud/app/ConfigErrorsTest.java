package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code pmtud validate} on broken configurations: each must exit 2 with exactly one error line on
 * stderr that starts with {@code file:line:} (the line where the mistake is written) and names the
 * offending key or value and what is allowed, followed by that line of the file, quoted. No stack
 * trace, ever.
 */
class ConfigErrorsTest {
    @TempDir
    Path dir;

    /** A broken configuration, the line its mistake is on, and words the message must contain. */
    static Stream<Arguments> brokenConfigs() {
        return Stream.of(
                broken("unknown top-level key", """
                        node: a
                        sourcs:
                          - { type: pcap-file, path: in.pcap }
                        """, 2, "unknown top-level key 'sourcs'", "did you mean 'sources'", "allowed:", "filters"),
                broken("unknown key in a filter", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - { type: dedup, windw: 1s }
                        """, 3, "unknown key 'windw'", "did you mean 'window'", "allowed:", "max-entries"),
                broken("wrong value type (a list for a number)", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - type: mtu-range
                            min: [68]
                        """, 4, "'min'", "must be a single value"),
                broken("not a number", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - { type: mtu-range, min: 68, max: lots }
                        """, 3, "'max'", "'lots'", "whole number from"),
                broken("bad CIDR prefix", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - type: exclude-networks
                            networks:
                              - 192.0.2.0/24
                              - 198.51.100.0/33
                        """, 6, "198.51.100.0/33", "prefix length", "0..32"),
                broken("not an address in a CIDR list", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - { type: exclude-networks, networks: [cluster-net] }
                        """, 3, "'networks'", "cluster-net", "192.0.2.0/24"),
                broken("exclude-networks without networks and no cluster networks", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - { type: exclude-networks }
                        """, 3, "filters[0] (exclude-networks): 'networks' is required when the configuration has no cluster networks",
                        "cluster: { networks: [10.0.0.0/8] }"),
                broken("empty cluster networks", """
                        cluster:
                          networks: []
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        """, 2, "cluster: 'networks' is empty", "like [10.0.0.0/8, 2001:db8::/32]"),
                broken("bad rate unit", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - { type: rate-limit, per-source: 10/x, burst: 2 }
                        """, 3, "'per-source'", "10/x", "10/s"),
                broken("duration without a unit", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - { type: dedup, window: 5 }
                        """, 3, "'window'", "'5'", "500ms, 1s, 5m"),
                broken("bad size", """
                        sources:
                          - { type: pcap, interface: eth0, buffer: 4 lots }
                        """, 2, "'buffer'", "4 lots", "KiB", "MiB"),
                broken("unknown component type", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - { type: dedupe, window: 1s }
                        """, 3, "unknown filter type 'dedupe'", "did you mean 'dedup'", "known filter types:", "mtu-range"),
                broken("component without a type", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        sinks:
                          - { path: out.pcap }
                        """, 3, "'type' is required", "known sink types:", "pcap-file"),
                broken("no sources", """
                        node: a
                        filters: [ { type: dedup, window: 1s } ]
                        """, 1, "no sources", "sources:"),
                broken("YAML syntax error", """
                        node: a
                        sources:
                          - { type: pcap-file, path: in.pcap
                        filters: []
                        """, 4, "YAML syntax error at key 'filters'", "flow mapping that starts on line 3", "indentation and quoting"),
                broken("duplicate key", """
                        node: a
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        node: b
                        """, 3, "duplicate key 'node'", "first at line 1"),
                broken("unset environment variable", """
                        node: ${PMTUD_TEST_UNSET_NODE}
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        """, 1, "PMTUD_TEST_UNSET_NODE is not set", "${PMTUD_TEST_UNSET_NODE:-value}"),
                broken("bad metrics listen address", """
                        metrics:
                          listen: "localhost"
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        """, 2, "'listen'", "localhost", "host:port", "0.0.0.0:30040"),
                broken("metrics.enabled not a boolean", """
                        metrics: { enabled: maybe }
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        """, 1, "'enabled'", "maybe", "true or false"),
                broken("tab indentation", "metrics:\n\tlisten: \"127.0.0.1:1\"\nsources: [ { type: pcap-file, path: in.pcap } ]\n",
                        2, "tab", "spaces"),
                broken("list where a map is expected", """
                        metrics:
                          - listen: 127.0.0.1:1
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        """, 1, "metrics must be a map", "a list"),
                broken("map where a list is expected", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          type: dedup
                        """, 2, "filters must be a list", "a map"),
                broken("peer that is a host name", """
                        peers:
                          - { type: static, addresses: [192.0.2.2, node-b] }
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        """, 2, "node-b", "not an IP address", "192.0.2.1"),
                broken("one of a fixed set", """
                        sources: [ { type: pcap-file, path: in.pcap, speed: warp } ]
                        """, 1, "'speed'", "warp", "allowed: max, realtime"),
                broken("unknown key in the rules block", """
                        sources: [ { type: nflog, group: 33 } ]
                        rules: { manage: true, chains: raw }
                        """, 2, "unknown key 'chains'", "allowed:", "exclude-sources"),
                broken("pipeline name with capitals", """
                        node: a
                        pipelines:
                          - name: Relay
                            sources: [ { type: pcap-file, path: in.pcap } ]
                        """, 3, "pipelines[0]: name 'Relay' is not allowed", "lower-case letters, digits and '-'"),
                broken("pipeline without a name", """
                        pipelines:
                          - sources: [ { type: pcap-file, path: in.pcap } ]
                        """, 2, "pipelines[0]: 'name' is required", "lower-case letters, digits and '-'"),
                broken("duplicate pipeline names", """
                        pipelines:
                          - name: relay
                            sources: [ { type: pcap-file, path: in.pcap } ]
                          - name: relay
                            sources: [ { type: pcap-file, path: in.pcap } ]
                        """, 4, "pipelines[1]: name 'relay' is already used by the pipeline at line 2", "must be unique"),
                broken("both forms mixed", """
                        pipelines:
                          - name: relay
                            sources: [ { type: pcap-file, path: in.pcap } ]
                        sinks: [ { type: log } ]
                        """, 4, "sinks: at the top level (line 4) and pipelines: (line 1) do not mix", "single-pipeline form"),
                broken("unknown key in a pipeline", """
                        pipelines:
                          - name: relay
                            sorces: [ { type: pcap-file, path: in.pcap } ]
                        """, 3, "pipelines[0]: unknown key 'sorces'", "did you mean 'sources'", "allowed: filters, name, sinks, sources"),
                broken("duplicate label within a pipeline", """
                        pipelines:
                          - name: relay
                            sources: [ { type: pcap-file, path: in.pcap } ]
                            filters:
                              - { type: dedup, name: d }
                              - { type: rate-limit, name: d }
                        """, 6, "pipeline relay, filters[1] (rate-limit): name 'd' is already used by filters[0]",
                        "unique within the filters of pipeline relay"),
                broken("capture from the device a sink injects into", """
                        pipelines:
                          - name: capture
                            sources:
                              - { type: pcap, interface: pmtud0 }
                          - name: receive
                            sources: [ { type: pcap-file, path: in.pcap } ]
                            sinks: [ { type: test-inject, device: pmtud0 } ]
                        """, 4, "pipeline capture, sources[0] (pcap): captures from pmtud0",
                        "sink test-inject of pipeline receive injects", "capture from the uplink only (like interface: eth0)"),
                broken("capture on every interface while a sink injects", """
                        sources: [ { type: pcap, interface: any } ]
                        sinks: [ { type: test-inject, device: pmtud0 } ]
                        """, 1, "sources[0] (pcap): captures on every interface, pmtud0 included",
                        "capture from the uplink only (like interface: eth0)"),
                broken("managed rule on the device a sink injects into", """
                        sources: [ { type: nflog, group: 33 } ]
                        sinks: [ { type: test-inject, device: pmtud0 } ]
                        rules: { manage: true, interface: pmtud0 }
                        """, 3, "rules: 'interface' is pmtud0", "bind the rule to the uplink, like interface: eth0"),
                broken("unknown provider type under cluster.addresses", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        cluster:
                          networks: [10.0.0.0/8]
                          addresses:
                            - { type: kubernetes-service }
                        """, 5, "cluster.addresses[0]: unknown peers type 'kubernetes-service'", "did you mean 'kubernetes-services'",
                        "known peers types: dns, file, kubernetes, kubernetes-services, static"),
                broken("a service-addresses filter that keeps nothing without cluster.addresses", """
                        sources: [ { type: pcap-file, path: in.pcap } ]
                        filters:
                          - { type: service-addresses, peers: false, cluster-networks: false }
                        """, 3, "leaves no address to keep", "cluster.addresses"));
    }

    private static Arguments broken(String what, String yaml, int line, String... mustSay) {
        return Arguments.of(what, yaml, line, List.of(mustSay));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenConfigs")
    void validateNamesFileLineAndWhatIsAllowed(String what, String yaml, int line, List<String> mustSay) throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, yaml);

        CliRunner.Result r = CliRunner.run(Map.of(), new StopSignal(), "validate", "--config", file.toString());

        assertEquals(Main.BAD_CONFIG, r.status(), r.toString());
        assertEquals("", r.out(), "nothing on stdout: " + r);
        // Log lines (a warning while building) may come first; then the error line, then the
        // offending line as written in the file (tabs shown as \t), quoted with its number.
        List<String> lines = r.err().strip().lines().toList();
        List<String> quote = line > 0 ? List.of(String.format("%6d | %s", line, yaml.lines().toList().get(line - 1).replace("\t", "\\t"))) : List.of();
        assertTrue(lines.size() > quote.size(), r.toString());
        String err = lines.get(lines.size() - 1 - quote.size());
        assertEquals(quote, lines.subList(lines.size() - quote.size(), lines.size()), "the offending line, quoted: " + r);
        for (String l : lines.subList(0, lines.size() - 1 - quote.size())) {
            assertTrue(l.matches("\\d{4}-\\d\\d-\\d\\dT.* (WARN|INFO) .*"), "only log lines before the error: " + r);
        }
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r);
        String location = line > 0 ? file + ":" + line + ": " : file + ": ";
        assertTrue(err.startsWith(location), "starts with " + location + ": " + err);
        for (String words : mustSay) {
            assertTrue(err.contains(words), "says '" + words + "': " + err);
        }
    }

    @Test
    void atLeastFifteenDistinctMistakes() {
        assertTrue(brokenConfigs().count() >= 15);
    }

    @Test
    void validConfigurationIsOk() throws Exception {
        Path file = dir.resolve("good.yaml");
        Files.writeString(file, """
                node: ${NODE_NAME:-fallback}
                metrics: { listen: "127.0.0.1:30040" }
                sources: [ { type: pcap-file, path: in.pcap } ]
                filters: [ { type: dedup, window: 1s } ]
                sinks: [ { type: log } ]
                """);
        CliRunner.Result r = CliRunner.run("validate", "--config", file.toString());
        assertEquals(Main.OK, r.status(), r.toString());
        assertTrue(r.out().startsWith("OK: " + file), r.toString());
    }

    /** The configuration example in README.md is one a user can copy. */
    @Test
    void readmeExampleIsValid() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```yaml\n") + "```yaml\n".length();
        Path file = dir.resolve("readme.yaml");
        Files.writeString(file, readme.substring(start, readme.indexOf("```", start)));
        CliRunner.Result r = CliRunner.run("validate", "--config", file.toString());
        assertEquals(Main.OK, r.status(), r.toString());
    }

    @Test
    void environmentSubstitutionReachesThePipeline() throws Exception {
        Path file = dir.resolve("env.yaml");
        Files.writeString(file, """
                node: a
                sources: [ { type: pcap-file, path: in.pcap } ]
                filters:
                  - { type: mtu-range, min: "${MIN_MTU}", max: "${MAX_MTU:-9000}" }
                """);
        // 600 is valid; 'abc' proves the substituted value, not the text ${MIN_MTU}, is what is checked.
        assertEquals(Main.OK, CliRunner.run(Map.of("MIN_MTU", "600"), new StopSignal(), "validate", "--config", file.toString()).status());
        CliRunner.Result bad = CliRunner.run(Map.of("MIN_MTU", "abc"), new StopSignal(), "validate", "--config", file.toString());
        assertEquals(Main.BAD_CONFIG, bad.status(), bad.toString());
        assertTrue(bad.err().startsWith(file + ":4: ") && bad.err().contains("'abc'"), bad.toString());
    }

    @Test
    void missingConfigFileExits2() {
        CliRunner.Result r = CliRunner.run("validate", "--config", dir.resolve("absent.yaml").toString());
        assertEquals(Main.BAD_CONFIG, r.status(), r.toString());
        assertTrue(r.err().contains("no such file"), r.toString());
    }

    @Test
    void badCommandLineExits2WithOneLine() {
        CliRunner.Result r = CliRunner.run("validate");
        assertEquals(Main.BAD_CONFIG, r.status(), r.toString());
        assertTrue(r.err().contains("--config"), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
    }
}
