package dev.pmtud.testkit;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds configuration trees as the YAML loader would, with explicit lines so that tests can check
 * that errors point at the right one. A value is kept when it is a {@link ConfigNode}, becomes an
 * empty node when {@code null}, a list on its key's line when a {@link List}, and otherwise a
 * scalar of its text. {@link #lines()} numbers the lines itself, for tests that read them back
 * from the nodes.
 */
public final class Cfg {
    public static final String FILE = "pmtud.yaml";

    private Cfg() {
    }

    public static ConfigNode map(int line, Object... keysAndValues) {
        Map<String, ConfigNode> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], node(line, keysAndValues[i + 1]));
        }
        return ConfigNode.map(FILE, line, m);
    }

    public static ConfigNode list(int line, Object... items) {
        List<ConfigNode> l = new ArrayList<>();
        for (Object o : items) {
            l.add(node(line, o));
        }
        return ConfigNode.list(FILE, line, l);
    }

    public static ConfigNode s(int line, String text) {
        return ConfigNode.scalar(FILE, line, text);
    }

    private static ConfigNode node(int line, Object o) {
        if (o instanceof ConfigNode n) {
            return n;
        }
        if (o == null) {
            return ConfigNode.empty(FILE, line);
        }
        if (o instanceof List<?> items) {
            return list(line, items.toArray());
        }
        return ConfigNode.scalar(FILE, line, o.toString());
    }

    /** A component block on one line: {@code { type: t, k: v ... }}. */
    public static ConfigNode block(int line, String type, Object... keysAndValues) {
        Object[] kv = new Object[keysAndValues.length + 2];
        kv[0] = "type";
        kv[1] = type;
        System.arraycopy(keysAndValues, 0, kv, 2, keysAndValues.length);
        return map(line, kv);
    }

    /**
     * The first component of a section, {@code { type: t, k: v ... }} as a factory receives it,
     * named in messages as {@code section[0] (t)}: the block and its type at line 1, each key on its
     * own line from line 2.
     */
    public static ComponentConfig component(String section, String type, Object... keysAndValues) {
        return component(1, section, type, keysAndValues);
    }

    /** {@link #component(String, String, Object...)} with the block at {@code line}, its keys after it. */
    public static ComponentConfig component(int line, String section, String type, Object... keysAndValues) {
        Map<String, ConfigNode> m = new LinkedHashMap<>();
        m.put("type", s(line, type));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], node(line + 1 + i / 2, keysAndValues[i + 1]));
        }
        return new ComponentConfig(ConfigNode.map(FILE, line, m), section + "[0] (" + type + ")");
    }

    /** A block built with {@link #block} or {@link #map}, named {@code section[0] (its type)}. */
    public static ComponentConfig component(String section, ConfigNode block) {
        ConfigNode type = block.get("type");
        return new ComponentConfig(block, section + "[0] (" + (type == null ? null : type.text()) + ")");
    }

    /** A builder that puts every node it makes on a line of its own, counting from 1. */
    public static Lines lines() {
        return new Lines();
    }

    /**
     * Every node on the next line: a map's or list's values first (as they are written before the
     * call), then the map or list itself. The test reads a line back from the node
     * ({@code node.get("key").line()}), so the numbers only need to be distinct.
     */
    public static final class Lines {
        private int line = 1;

        private Lines() {
        }

        /** A scalar. */
        public ConfigNode s(String text) {
            return ConfigNode.scalar(FILE, line++, text);
        }

        /** key, value, key, value...; a value is kept when a {@link ConfigNode}, else a scalar of its text. */
        public ConfigNode map(Object... keysAndValues) {
            int at = line++;
            Map<String, ConfigNode> m = new LinkedHashMap<>();
            for (int i = 0; i < keysAndValues.length; i += 2) {
                m.put((String) keysAndValues[i], value(keysAndValues[i + 1]));
            }
            return ConfigNode.map(FILE, at, m);
        }

        public ConfigNode list(Object... items) {
            int at = line++;
            List<ConfigNode> l = new ArrayList<>();
            for (Object item : items) {
                l.add(value(item));
            }
            return ConfigNode.list(FILE, at, l);
        }

        private ConfigNode value(Object o) {
            return o instanceof ConfigNode n ? n : s(o.toString());
        }
    }
}
