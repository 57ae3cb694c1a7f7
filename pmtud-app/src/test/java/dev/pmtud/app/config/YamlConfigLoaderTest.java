package dev.pmtud.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlConfigLoaderTest {
    private static final String FILE = "test.yaml";

    private final YamlConfigLoader loader = new YamlConfigLoader(Map.of("NODE_NAME", "node-7", "EMPTY", "")::get);

    private ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> loader.parse(FILE, yaml));
    }

    @Test
    void everyNodeKnowsItsLine() {
        ConfigNode root = loader.parse(FILE, "node: a\nsources:\n  - type: pcap-file\n    path: x.pcap\nfilters:\n  - { type: dedup, window: 1s }\n");
        assertEquals(1, root.get("node").line());
        assertEquals(2, root.get("sources").line());
        ConfigNode source = root.get("sources").items().get(0);
        assertEquals(3, source.line());
        assertEquals(4, source.get("path").line());
        assertEquals("x.pcap", source.get("path").text());
        assertEquals(6, root.get("filters").items().get(0).get("window").line());
        assertEquals(FILE, source.get("path").file());
    }

    @Test
    void nullsAndQuotedNulls() {
        ConfigNode root = loader.parse(FILE, "a: ~\nb:\nc: 'null'\n");
        assertEquals(ConfigNode.Kind.NULL, root.get("a").kind());
        assertEquals(ConfigNode.Kind.NULL, root.get("b").kind());
        assertEquals("null", root.get("c").text());
    }

    @Test
    void substitutesEnvironmentVariables() {
        ConfigNode root = loader.parse(FILE, "node: ${NODE_NAME}\nx: pre-${MISSING:-fallback}-post\ny: ${EMPTY:-def}\nz: $${LITERAL}\n");
        assertEquals("node-7", root.get("node").text());
        assertEquals("pre-fallback-post", root.get("x").text());
        assertEquals("def", root.get("y").text(), ":- also replaces an empty value, as in the shell");
        assertEquals("${LITERAL}", root.get("z").text());
    }

    @Test
    void unsetVariableWithoutDefaultNamesItAndTheLine() {
        ConfigException e = error("node: a\nsources:\n  - { type: pcap-file, path: \"${CAPTURE_DIR}/x.pcap\" }\n");
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("test.yaml:3: "), e.getMessage());
        assertTrue(e.getMessage().contains("CAPTURE_DIR is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("${CAPTURE_DIR:-value}"), e.getMessage());
    }

    @Test
    void unclosedReference() {
        ConfigException e = error("node: ${NODE_NAME\n");
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("without a closing '}'"), e.getMessage());
    }

    @Test
    void unquotedReferenceInFlowMapGetsAHint() {
        ConfigException e = error("node: a\nsources:\n  - { type: pcap-file, path: ${CAPTURE} }\n");
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("quote a value that uses ${VAR}"), e.getMessage());
    }

    @Test
    void duplicateKeyNamesBothLines() {
        ConfigException e = error("node: a\nsources: []\nnode: b\n");
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("duplicate key 'node' (first at line 1)"), e.getMessage());
    }

    @Test
    void syntaxErrorIsOneLocatedLine() {
        ConfigException e = error("node: a\nsources:\n  - { type: pcap-file, path: x.pcap\nfilters: []\n");
        assertTrue(e.line() >= 3, e.getMessage());
        assertTrue(e.getMessage().startsWith("test.yaml:" + e.line() + ": YAML syntax error"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void syntaxErrorNamesTheKeyOnItsLineAndWhereTheUnclosedBlockStarts() {
        ConfigException e = error("node: a\nsources:\n  - { type: pcap-file, path: x.pcap\nfilters: []\n");
        assertEquals(4, e.line());
        assertTrue(e.problem().startsWith("YAML syntax error at key 'filters': while parsing a flow mapping that starts on line 3: "),
                e.getMessage());
        assertTrue(e.problem().endsWith("check the indentation and quoting on this line or the one before"), e.getMessage());
    }

    @Test
    void theKeyIsTheOneWhoseValueWasBeingRead() {
        assertEquals("min", YamlSyntaxError.keyAt("filters: [ { type: mtu-range, min: ${MIN} } ]", 36));
        assertEquals("filters", YamlSyntaxError.keyAt("filters: [ { type: mtu-range, min: ${MIN} } ]", 3));
        assertEquals("listen", YamlSyntaxError.keyAt("\tlisten: \"127.0.0.1:1\"", 0), "before every key: the first one");
        assertEquals("listen", YamlSyntaxError.keyAt("  listen: http://127.0.0.1:1", 30), "':' inside a value is no key");
        assertEquals(null, YamlSyntaxError.keyAt("  - 192.0.2.0/24", 4));
    }

    @Test
    void tabIndentationSaysSo() {
        ConfigException e = error("node: a\nmetrics:\n\tlisten: 127.0.0.1:1\n");
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("tab"), e.getMessage());
        assertTrue(e.getMessage().contains("spaces"), e.getMessage());
    }

    @Test
    void anchorsAreRefused() {
        ConfigException e = error("a: &x { type: dedup }\nb: *x\n");
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("anchors"), e.getMessage());
    }

    @Test
    void topLevelMustBeAMap() {
        ConfigException e = error("- a\n- b\n");
        assertTrue(e.getMessage().contains("top level must be a map"), e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void emptyFile() {
        ConfigException e = error("# nothing\n");
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void missingFileIsAConfigError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(missing));
        assertEquals(missing.toString() + ": no such file; give the path of a YAML configuration (see examples/pmtud.yaml)", e.getMessage());
    }

    @Test
    void loadsFromDiskWithThePathAsFileName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, "node: x\n");
        assertEquals(f.toString(), loader.load(f).get("node").file());
    }
}
