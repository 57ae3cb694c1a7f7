package dev.pmtud.core;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The top level of a configuration file: a map holding only the known keys. */
final class ConfigRoot {
    static final List<String> KEYS = List.of("cluster", "metrics", "node", "peers", "rules", "pipelines", "sinks", "sources", "filters");

    private ConfigRoot() {
    }

    static ConfigNode requireMap(ConfigNode root) {
        if (root == null) {
            throw new ConfigException("(configuration)", 0, "the configuration is empty; it needs at least a sources: list (or pipelines:)");
        }
        if (root.kind() == ConfigNode.Kind.NULL) {
            return ConfigNode.map(root.file(), root.line(), Map.of());
        }
        if (!root.isMap()) {
            throw root.error("the configuration must be a map of node, metrics, cluster, peers, pipelines (or sources, filters,"
                    + " sinks), rules; not " + root.describeKind());
        }
        return root;
    }

    static void checkKeys(ConfigNode root) {
        List<String> allowed = new ArrayList<>(KEYS);
        allowed.sort(null);
        for (var e : root.entries().entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                String hint = ComponentConfig.closest(e.getKey(), allowed);
                throw e.getValue().error("unknown top-level key '" + e.getKey() + "'"
                        + (hint != null ? " (did you mean '" + hint + "'?)" : "") + "; allowed: " + String.join(", ", allowed));
            }
        }
    }
}
