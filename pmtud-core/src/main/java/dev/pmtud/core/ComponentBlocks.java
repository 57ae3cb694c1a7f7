package dev.pmtud.core;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a list of component blocks ({@code { type: ..., name: ..., ... }}): each a map with a
 * registered type and only that type's keys, its label resolved.
 */
final class ComponentBlocks {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private ComponentBlocks() {
    }

    /** The top-level {@code peers:} blocks. */
    static List<ComponentBlock> peers(ConfigNode root, PluginRegistry registry) {
        return read(root.get("peers"), "peers", PluginRegistry.PEERS, registry, "", "peers");
    }

    /**
     * The {@code cluster.addresses:} blocks: peer-provider blocks (any registered peers type) whose
     * union is the cluster's own service addresses. {@code cluster} was checked to be a map or absent.
     */
    static List<ComponentBlock> clusterAddresses(ConfigNode root, PluginRegistry registry) {
        ConfigNode cluster = root.get("cluster");
        if (cluster == null || !cluster.isMap()) {
            return List.of();
        }
        return read(cluster.get("addresses"), "addresses", PluginRegistry.PEERS, registry, "cluster.", "cluster.addresses");
    }

    /** The blocks of one pipeline's {@code section} (sources, filters or sinks) of {@code kind}. */
    static List<ComponentBlock> of(PipelineConfig pipeline, String section, String kind, PluginRegistry registry) {
        String scope = pipeline.listed() ? "the " + section + " of pipeline " + pipeline.name() : section;
        return read(pipeline.section(section), section, kind, registry, pipeline.prefix(), scope);
    }

    /**
     * The blocks of a {@code section} list: each a map with a known type and only that type's keys;
     * names resolved (default the type, then type-2, type-3...) and unique within the list.
     *
     * @param prefix what messages put before {@code section[i]}, like {@code pipeline relay, }
     * @param scope  where names must be unique, for messages: {@code filters}, {@code the filters of pipeline relay}
     */
    private static List<ComponentBlock> read(ConfigNode list, String section, String kind, PluginRegistry registry,
                                             String prefix, String scope) {
        if (list == null || list.kind() == ConfigNode.Kind.NULL) {
            return List.of();
        }
        if (!list.isList()) {
            throw list.error(prefix + section + " must be a list of { type: ..., ... } blocks, not " + list.describeKind());
        }
        List<ConfigNode> items = list.items();
        PluginRegistry.Plugin[] plugins = new PluginRegistry.Plugin[items.size()];
        String[] names = new String[items.size()];
        Map<String, String> usedBy = new HashMap<>();
        // Explicit names first, so that a default never takes a name someone wrote.
        for (int i = 0; i < items.size(); i++) {
            ConfigNode item = items.get(i);
            String where = prefix + section + "[" + i + "]";
            if (!item.isMap()) {
                throw item.error(where + " must be a map like { type: ..., key: value }, not " + item.describeKind());
            }
            plugins[i] = plugin(item, where, kind, registry);
            String type = plugins[i].type();
            // A component whose own keys include `name` (the dns provider's DNS name) keeps that key
            // for itself; its label is then the type, type-2, ... like any unnamed block.
            ConfigNode n = ownsNameKey(plugins[i]) ? null : item.get("name");
            if (n != null && n.kind() != ConfigNode.Kind.NULL) {
                if (!n.isScalar() || !NAME.matcher(n.text().trim()).matches()) {
                    throw n.error(where + " (" + type + "): name '" + n.text()
                            + "' must be letters, digits, '.', '_' or '-' (at most 63), starting with a letter or digit");
                }
                String name = n.text().trim();
                String previous = usedBy.putIfAbsent(name, where);
                if (previous != null) {
                    throw n.error(where + " (" + type + "): name '" + name + "' is already used by " + previous.substring(prefix.length())
                            + "; names must be unique within " + scope);
                }
                names[i] = name;
            }
        }
        Map<String, Integer> nextSuffix = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            if (names[i] == null) {
                String type = plugins[i].type();
                String candidate = type;
                int suffix = nextSuffix.getOrDefault(type, 1);
                while (usedBy.containsKey(candidate)) {
                    suffix++;
                    candidate = type + "-" + suffix;
                }
                nextSuffix.put(type, suffix);
                usedBy.put(candidate, prefix + section + "[" + i + "]");
                names[i] = candidate;
            }
        }
        List<ComponentBlock> blocks = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ConfigNode item = items.get(i);
            PluginRegistry.Plugin plugin = plugins[i];
            String type = plugin.type();
            String name = names[i];
            String what = prefix + section + "[" + i + "] (" + (name.equals(type) ? type : name + ": " + type) + ")";
            ComponentConfig checked = new ComponentConfig(item, what);
            Set<String> allowed = new LinkedHashSet<>(plugin.factory().keys());
            allowed.add("name");
            checked.checkKeys(allowed);
            ComponentConfig config = checked;
            if (!ownsNameKey(plugin)) {
                Map<String, ConfigNode> withName = new LinkedHashMap<>(item.entries());
                withName.put("name", ConfigNode.scalar(item.file(), item.get("name") != null ? item.get("name").line() : item.line(), name));
                config = new ComponentConfig(ConfigNode.map(item.file(), item.line(), withName), what);
            }
            blocks.add(new ComponentBlock(type, name, plugin.factory(), config));
        }
        return blocks;
    }

    private static boolean ownsNameKey(PluginRegistry.Plugin plugin) {
        return plugin.factory().keys().contains("name");
    }

    /** The registered plugin the block's {@code type} names. */
    private static PluginRegistry.Plugin plugin(ConfigNode item, String where, String kind, PluginRegistry registry) {
        List<String> known = registry.types(kind);
        String knownText = known.isEmpty() ? "none are installed" : String.join(", ", known);
        ConfigNode t = item.get("type");
        if (t == null || t.kind() == ConfigNode.Kind.NULL) {
            throw item.error(where + ": 'type' is required; known " + kind + " types: " + knownText);
        }
        if (!t.isScalar()) {
            throw t.error(where + ": 'type' must be a single value; known " + kind + " types: " + knownText);
        }
        String type = t.text().trim();
        return registry.find(kind, type).orElseThrow(() -> {
            String hint = ComponentConfig.closest(type, known);
            return t.error(where + ": unknown " + kind + " type '" + type + "'"
                    + (hint != null ? " (did you mean '" + hint + "'?)" : "")
                    + "; known " + kind + " types: " + knownText
                    + (known.isEmpty() ? "" : " (a plugin's type needs its jar in the plugins directory)"));
        });
    }

    /** Names for components given in code (replacement sources and sinks): base, base-2, base-3... */
    static List<String> generatedNames(String base, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(i == 0 ? base : base + "-" + (i + 1));
        }
        return names;
    }
}
