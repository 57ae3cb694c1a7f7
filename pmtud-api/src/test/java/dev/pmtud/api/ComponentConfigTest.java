package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every bad value is a ConfigException naming file:line, the key, and what is allowed. */
class ComponentConfigTest {
    private static final String FILE = "pmtud.yaml";

    /** A block at line 10 whose keys sit on lines 11, 12, ... in the order given. */
    private static ComponentConfig block(Object... keysAndValues) {
        Map<String, ConfigNode> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Object v = keysAndValues[i + 1];
            int line = 11 + i / 2;
            ConfigNode n;
            if (v instanceof ConfigNode) {
                n = (ConfigNode) v;
            } else if (v == null) {
                n = ConfigNode.empty(FILE, line);
            } else {
                n = ConfigNode.scalar(FILE, line, v.toString());
            }
            m.put((String) keysAndValues[i], n);
        }
        return new ComponentConfig(ConfigNode.map(FILE, 10, m), "filters[0] (test)");
    }

    private static void assertError(String location, String key, Consumer<ComponentConfig> read, ComponentConfig c,
            String... alsoContains) {
        ConfigException e = assertThrows(ConfigException.class, () -> read.accept(c));
        assertTrue(e.getMessage().startsWith(location + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("filters[0] (test)"), e.getMessage());
        for (String s : alsoContains) {
            assertTrue(e.getMessage().contains(s), () -> e.getMessage() + " lacks " + s);
        }
        assertEquals(FILE, e.file());
        assertEquals(Integer.parseInt(location.substring(location.indexOf(':') + 1)), e.line());
    }

    @Test
    void goodValuesAreRead() {
        ComponentConfig c = block("type", "dedup", "window", "2s", "max", "100", "on", "yes", "rate", "5/s", "buf", "4MiB",
                "mode", "l3", "nets", ConfigNode.list(FILE, 18, List.of(ConfigNode.scalar(FILE, 19, "192.0.2.0/24"),
                        ConfigNode.scalar(FILE, 20, "2001:db8::/32"))), "peer", "192.0.2.2");
        assertEquals("dedup", c.type());
        assertEquals(Duration.ofSeconds(2), c.duration("window", null));
        assertEquals(Duration.ofSeconds(9), c.duration("absent", Duration.ofSeconds(9)));
        assertEquals(100, c.integer("max", 1, 0, 1000));
        assertEquals(7, c.integer("absent", 7, 0, 10));
        assertTrue(c.bool("on", false));
        assertEquals(5.0, c.rate("rate", null).perSecond());
        assertNull(c.rate("absent", null));
        assertEquals(4L << 20, c.size("buf", 0, 0, 1L << 30));
        assertEquals("l3", c.oneOf("mode", "l3", "l3", "l2-broadcast"));
        assertEquals(List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8::/32")), c.networks("nets"));
        assertEquals(List.of(Inet.of("192.0.2.2")), c.addresses("peer"));
        assertEquals(List.of("192.0.2.2"), c.strings("peer"));
        assertEquals(List.of(), c.strings("absent"));
        assertTrue(c.has("max"));
        assertFalse(c.has("absent"));
        c.checkKeys(Set.of("window", "max", "on", "rate", "buf", "mode", "nets", "peer"));
    }

    @Test
    void missingRequiredKeyPointsAtTheBlock() {
        assertError(FILE + ":10", "path", c -> c.string("path"), block("type", "x"), "required");
        assertError(FILE + ":10", "window", c -> c.duration("window", null), block("type", "x"), "required", "500ms");
    }

    @Test
    void badValuesPointAtTheirLine() {
        assertError(FILE + ":11", "max", c -> c.integer("max", 1, 0, 10), block("max", "lots"), "whole number", "0", "10");
        assertError(FILE + ":12", "max", c -> c.integer("max", 1, 0, 10), block("a", "1", "max", "11"), "from 0 to 10");
        assertError(FILE + ":11", "on", c -> c.bool("on", true), block("on", "maybe"), "true or false");
        assertError(FILE + ":11", "window", c -> c.duration("window", null), block("window", "5"), "500ms");
        assertError(FILE + ":11", "rate", c -> c.rate("rate", null), block("rate", "5/d"), "per s, m or h");
        assertError(FILE + ":11", "buf", c -> c.size("buf", 1, 0, 100), block("buf", "4MiB"), "from 0 to 100");
        assertError(FILE + ":11", "buf", c -> c.size("buf", 1, 0, 100), block("buf", "4 parsecs"), "KiB");
        assertError(FILE + ":11", "mode", c -> c.oneOf("mode", "l3", "l3", "ipip"), block("mode", "l4"), "allowed: l3, ipip");
        assertError(FILE + ":11", "path", c -> c.string("path"),
                block("path", ConfigNode.list(FILE, 11, List.of(ConfigNode.scalar(FILE, 12, "a")))), "single value");
        assertError(FILE + ":11", "peers", c -> c.strings("peers"),
                block("peers", ConfigNode.map(FILE, 11, Map.of("a", ConfigNode.scalar(FILE, 12, "b")))), "list");
    }

    @Test
    void badListItemsPointAtTheItemsLine() {
        ConfigNode nets = ConfigNode.list(FILE, 11, List.of(ConfigNode.scalar(FILE, 12, "192.0.2.0/24"),
                ConfigNode.scalar(FILE, 13, "192.0.2.0/99")));
        assertError(FILE + ":13", "nets", c -> c.networks("nets"), block("nets", nets), "'192.0.2.0/99'", "0..32");
        ConfigNode peers = ConfigNode.list(FILE, 11, List.of(ConfigNode.scalar(FILE, 14, "node-b.example")));
        assertError(FILE + ":14", "addresses", c -> c.addresses("addresses"), block("addresses", peers), "not an IP address");
        ConfigNode nested = ConfigNode.list(FILE, 11, List.of(ConfigNode.list(FILE, 15, List.of())));
        assertError(FILE + ":15", "nets", c -> c.strings("nets"), block("nets", nested), "single values");
    }

    @Test
    void unknownKeysAreNamedWithTheAllowedOnesAndATypoHint() {
        ComponentConfig c = block("type", "dedup", "windw", "1s");
        ConfigException e = assertThrows(ConfigException.class, () -> c.checkKeys(Set.of("window", "max-entries")));
        assertTrue(e.getMessage().startsWith(FILE + ":12: "), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'windw'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'window'?"), e.getMessage());
        assertTrue(e.getMessage().contains("allowed: max-entries, window"), e.getMessage());
        ConfigException none = assertThrows(ConfigException.class, () -> block("type", "log", "zzz", "1").checkKeys(Set.of()));
        assertTrue(none.getMessage().contains("none besides type"), none.getMessage());
        assertFalse(none.getMessage().contains("did you mean"), none.getMessage());
        assertNull(ComponentConfig.closest("completely-different", List.of("window")));
    }

    @Test
    void aComponentMustBeAMap() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ComponentConfig(ConfigNode.scalar(FILE, 4, "dedup"), "filters[1]"));
        assertEquals(FILE + ":4: filters[1] must be a map like { type: ..., key: value }, not a value", e.getMessage());
        assertEquals(4, e.line());
        assertTrue(e.problem().startsWith("filters[1] must be a map"));
    }

    @Test
    void childBlocksAreLocatedToo() {
        ComponentConfig c = block("rules", ConfigNode.map(FILE, 11, Map.of("manage", ConfigNode.scalar(FILE, 12, "perhaps"))));
        ComponentConfig rules = c.child("rules");
        assertEquals("filters[0] (test).rules", rules.what());
        ConfigException e = assertThrows(ConfigException.class, () -> rules.bool("manage", false));
        assertTrue(e.getMessage().startsWith(FILE + ":12: filters[0] (test).rules: 'manage'"), e.getMessage());
        assertNull(c.child("absent"));
    }

    @Test
    void exceptionWithoutALineNamesTheFileOnly() {
        ConfigException e = new ConfigException(FILE, 0, "'node' is required");
        assertEquals(FILE + ": 'node' is required", e.getMessage());
        assertEquals(0, e.line());
    }
}
