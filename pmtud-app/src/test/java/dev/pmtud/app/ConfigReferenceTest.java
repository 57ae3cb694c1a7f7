package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.core.PluginRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md against the code: every built-in component type and every key its factory
 * accepts, plus the top-level, {@code metrics:}, {@code cluster:}, {@code pipelines:} and {@code rules:} keys, must be documented, and
 * nothing may be documented that the code does not accept.
 *
 * <p>The document's format (also stated in an HTML comment at its top): a block is a heading
 * {@code ### `NAME` (KIND)} with KIND {@code source|filter|sink|peers} (NAME is the type) or
 * {@code block} ({@code top-level}, {@code metrics}, {@code cluster}, {@code rules}); its keys are the table rows
 * that start with {@code | `key` |}, up to the next heading.
 */
class ConfigReferenceTest {
    static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final Pattern HEADING = Pattern.compile("^###\\s+`([^`]+)`\\s+\\((source|filter|sink|peers|block)\\)\\s*$");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|");
    /** Test-only factories on pmtud-app's test class path, not part of the product. */
    private static final Set<String> TEST_TYPES = Set.of("source test-idle", "sink test-inject", "sink test-health");

    /** KIND NAME (e.g. "filter dedup", "block rules") -> documented keys, in the order written. */
    static Map<String, Set<String>> parse(List<String> lines) {
        Map<String, Set<String>> blocks = new LinkedHashMap<>();
        Set<String> current = null;
        for (String line : lines) {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String id = h.group(2) + " " + h.group(1);
                if (blocks.containsKey(id)) {
                    throw new IllegalStateException("docs/configuration.md documents " + id + " twice");
                }
                current = new TreeSet<>();
                blocks.put(id, current);
                continue;
            }
            if (line.startsWith("#")) {
                current = null; // any other heading ends the block
                continue;
            }
            Matcher r = ROW.matcher(line);
            if (r.find() && current != null) {
                current.add(r.group(1));
            }
        }
        return blocks;
    }

    static Map<String, Set<String>> fromCode() throws ReflectiveOperationException {
        Map<String, Set<String>> code = new LinkedHashMap<>();
        PluginRegistry registry = PluginRegistry.discover(List.of(ConfigReferenceTest.class.getClassLoader()));
        for (PluginRegistry.Plugin p : registry.plugins()) {
            String id = p.kind() + " " + p.type();
            if (!TEST_TYPES.contains(id)) {
                code.put(id, new TreeSet<>(p.factory().keys()));
            }
        }
        code.put("block top-level", new TreeSet<>(dev.pmtud.core.NodeRuntime.TOP_LEVEL_KEYS));
        code.put("block metrics", new TreeSet<>(dev.pmtud.core.NodeRuntime.METRICS_KEYS));
        code.put("block cluster", new TreeSet<>(dev.pmtud.core.NodeRuntime.CLUSTER_KEYS));
        code.put("block pipelines", new TreeSet<>(dev.pmtud.core.NodeRuntime.PIPELINE_KEYS));
        code.put("block rules", new TreeSet<>(dev.pmtud.app.rules.RuleSettings.KEYS));
        return code;
    }

    @Test
    void everyTypeAndKeyInTheCodeIsDocumentedAndNothingElse() throws Exception {
        Map<String, Set<String>> doc = parse(Files.readAllLines(DOC, StandardCharsets.UTF_8));
        Map<String, Set<String>> code = fromCode();

        List<String> problems = new ArrayList<>();
        for (var e : code.entrySet()) {
            Set<String> documented = doc.get(e.getKey());
            if (documented == null) {
                problems.add(e.getKey() + " exists in the code but has no '### `" + e.getKey().split(" ", 2)[1]
                        + "` (" + e.getKey().split(" ", 2)[0] + ")' section");
                continue;
            }
            for (String k : e.getValue()) {
                if (!documented.contains(k)) {
                    problems.add(e.getKey() + ": key '" + k + "' exists in the code but is not documented");
                }
            }
            for (String k : documented) {
                if (!e.getValue().contains(k)) {
                    problems.add(e.getKey() + ": key '" + k + "' is documented but the code does not accept it");
                }
            }
        }
        for (String id : doc.keySet()) {
            if (!code.containsKey(id)) {
                problems.add(id + " is documented but no such " + id.split(" ", 2)[0] + " exists in the code");
            }
        }
        assertTrue(problems.isEmpty(), "docs/configuration.md is out of step with the code:\n  " + String.join("\n  ", problems));
    }

    @Test
    void theCodeSideCoversEveryBuiltInModule() throws Exception {
        Map<String, Set<String>> code = fromCode();
        // One type from each module that contributes components: discovery saw every jar.
        for (String id : List.of("source nflog", "source pcap", "source pcap-file", "sink pcap-file", "sink raw",
                "sink inject", "peers kubernetes", "filter dedup", "sink log", "peers dns")) {
            assertTrue(code.containsKey(id), id + " was not discovered; is its module on pmtud-app's test class path?");
        }
    }

    /** Self-check: the parser finds what the format says and ignores what it does not. */
    @Test
    void parserReadsTheDocumentedFormat() throws IOException {
        Map<String, Set<String>> parsed = parse(List.of(
                "## Filters",
                "### `dedup` (filter)",
                "",
                "| key | type | default | meaning |",
                "|---|---|---|---|",
                "| `window` | duration | `1s` | how long |",
                "|`max-entries`|integer|`16384`|size|",
                "text mentioning | `not-a-key` | inside a sentence",
                "## Sinks",
                "| `orphan` | outside any block |",
                "### `log` (sink)",
                "| `level` | x | y | z |"));
        assertEquals(Map.of("filter dedup", Set.of("window", "max-entries"), "sink log", Set.of("level")), parsed);
        assertThrows(IllegalStateException.class, () -> parse(List.of("### `a` (block)", "### `a` (block)")));

        Map<String, Set<String>> real = parse(Files.readAllLines(DOC, StandardCharsets.UTF_8));
        assertTrue(real.getOrDefault("filter dedup", Set.of()).contains("window"), "the real document's dedup table lost 'window': " + real);
        assertTrue(real.getOrDefault("block rules", Set.of()).contains("manage"), "the real document's rules table lost 'manage': " + real);
        assertFalse(real.containsKey("block value-syntaxes"));
    }
}
