package dev.pmtud.app.rules;

import dev.pmtud.api.ConfigNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds ConfigNode trees for tests; every node gets the next line of "test.yaml". */
final class Cfg {
    private int line = 1;

    ConfigNode s(String text) {
        return ConfigNode.scalar("test.yaml", line++, text);
    }

    /** key, value, key, value...; values are ConfigNodes or Strings (scalars). */
    ConfigNode map(Object... kv) {
        int at = line++;
        Map<String, ConfigNode> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            m.put((String) kv[i], v instanceof ConfigNode ? (ConfigNode) v : s((String) v));
        }
        return ConfigNode.map("test.yaml", at, m);
    }

    ConfigNode list(Object... items) {
        int at = line++;
        List<ConfigNode> l = new ArrayList<>();
        for (Object v : items) {
            l.add(v instanceof ConfigNode ? (ConfigNode) v : s((String) v));
        }
        return ConfigNode.list("test.yaml", at, l);
    }

    /** A root with one nflog source (group) and the given rules block. */
    ConfigNode root(String group, ConfigNode rules) {
        return map("sources", list(map("type", "nflog", "group", group)), "rules", rules);
    }
}
