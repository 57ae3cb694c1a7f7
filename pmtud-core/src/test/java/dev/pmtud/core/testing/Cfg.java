package dev.pmtud.core.testing;

import dev.pmtud.api.ConfigNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds configuration trees as the YAML loader would, with explicit lines so that tests can check
 * that errors point at the right one. A String value becomes a scalar on its map's line.
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
}
