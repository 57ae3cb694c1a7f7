package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.core.filter.ExcludeNetworksFilterFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks the top level of the configuration file; component blocks are checked here too. */
final class PipelineConfig {
    public static final List<String> TOP_LEVEL_KEYS = List.of("metrics", "node", "peers", "rules", "sinks", "sources", "filters");
    static final String DEFAULT_METRICS_LISTEN = "0.0.0.0:30040";
    public static final List<String> METRICS_KEYS = List.of("enabled", "listen");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private PipelineConfig() {
    }

    static ConfigNode requireMap(ConfigNode root) {
        if (root == null) {
            throw new ConfigException("(configuration)", 0, "the configuration is empty; it needs at least a sources: list");
        }
        if (root.kind() == ConfigNode.Kind.NULL) {
            return ConfigNode.map(root.file(), root.line(), Map.of());
        }
        if (!root.isMap()) {
            throw root.error("the configuration must be a map of node, metrics, peers, sources, filters, sinks, rules; not "
                    + root.describeKind());
        }
        return root;
    }

    static void checkTopLevelKeys(ConfigNode root) {
        List<String> allowed = new ArrayList<>(TOP_LEVEL_KEYS);
        allowed.sort(null);
        for (var e : root.entries().entrySet()) {
            if (!TOP_LEVEL_KEYS.contains(e.getKey())) {
                String hint = ComponentConfig.closest(e.getKey(), allowed);
                throw e.getValue().error("unknown top-level key '" + e.getKey() + "'"
                        + (hint != null ? " (did you mean '" + hint + "'?)" : "") + "; allowed: " + String.join(", ", allowed));
            }
        }
    }

    static String nodeName(ConfigNode root) {
        ConfigNode node = root.get("node");
        if (node == null || node.kind() == ConfigNode.Kind.NULL) {
            return hostName();
        }
        if (!node.isScalar() || node.text().isBlank()) {
            throw node.error("node must be this node's name (a single value, default: the host name), not " + node.describeKind());
        }
        return node.text().trim();
    }

    /** The kernel's host name without a DNS lookup; getLocalHost() only as a fallback. */
    static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no procfs: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "localhost";
        }
    }

    static Pipeline.Settings settings(ConfigNode root) {
        String node = nodeName(root);
        boolean enabled = true;
        InetSocketAddress listen = listenAddress(DEFAULT_METRICS_LISTEN, null);
        ConfigNode m = root.get("metrics");
        if (m != null && m.kind() != ConfigNode.Kind.NULL) {
            ComponentConfig metrics = new ComponentConfig(m, "metrics");
            checkKeysNoType(metrics, METRICS_KEYS);
            enabled = metrics.bool("enabled", true);
            if (metrics.has("listen")) {
                listen = listenAddress(metrics.string("listen"), metrics);
            }
        }
        ConfigNode rules = root.get("rules");
        if (rules != null && rules.kind() == ConfigNode.Kind.NULL) {
            rules = null;
        }
        if (rules != null && !rules.isMap()) {
            throw rules.error("rules must be a map like { manage: true, ... }, not " + rules.describeKind());
        }
        return new Pipeline.Settings(node, enabled, listen, rules);
    }

    /** {@code host:port}, {@code [v6]:port} or {@code :port} (all addresses); literals are not looked up. */
    static InetSocketAddress listenAddress(String text, ComponentConfig at) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        String host = colon < 0 ? "" : t.substring(0, colon);
        String portText = colon < 0 ? "" : t.substring(colon + 1);
        int port = -1;
        if (!portText.isEmpty() && portText.chars().allMatch(Character::isDigit) && portText.length() <= 5) {
            port = Integer.parseInt(portText);
        }
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        boolean badHost = !bracketed && host.contains(":");
        if (port < 0 || port > 65535 || badHost) {
            throw at.error("listen", "is '" + text + "'; write it as host:port, like 0.0.0.0:30040, [::]:30040 or 127.0.0.1:9090");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(dev.pmtud.api.Values.parseAddress(host), port);
        } catch (IllegalArgumentException notALiteral) {
            if (bracketed) {
                throw at.error("listen", "is '" + text + "'; the part in [] must be an IPv6 address, like [::]:30040");
            }
            // A host name: resolved when the HTTP server binds, not while reading the configuration.
            return InetSocketAddress.createUnresolved(host, port);
        }
    }

    private static void checkKeysNoType(ComponentConfig c, List<String> allowed) {
        if (c.node().get("type") != null) {
            throw c.node().get("type").error(c.what() + ": unknown key 'type'; allowed: " + String.join(", ", allowed));
        }
        c.checkKeys(allowed);
    }

    /**
     * The blocks of {@code section} (sources, filters, sinks, peers): each a map with a known type
     * and only that type's keys; names resolved (default the type, then type-2, type-3...).
     */
    static List<ComponentBlock> blocks(ConfigNode root, String section, String kind, PluginRegistry registry) {
        ConfigNode list = root.get(section);
        if (list == null || list.kind() == ConfigNode.Kind.NULL) {
            return List.of();
        }
        if (!list.isList()) {
            throw list.error(section + " must be a list of { type: ..., ... } blocks, not " + list.describeKind());
        }
        List<ConfigNode> items = list.items();
        PluginRegistry.Plugin[] plugins = new PluginRegistry.Plugin[items.size()];
        String[] names = new String[items.size()];
        Map<String, String> usedBy = new HashMap<>();
        // Explicit names first, so that a default never takes a name someone wrote.
        for (int i = 0; i < items.size(); i++) {
            ConfigNode item = items.get(i);
            String where = section + "[" + i + "]";
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
                    throw n.error(where + " (" + type + "): name '" + name + "' is already used by " + previous
                            + "; names must be unique within " + section);
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
                usedBy.put(candidate, section + "[" + i + "]");
                names[i] = candidate;
            }
        }
        List<ComponentBlock> blocks = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ConfigNode item = items.get(i);
            PluginRegistry.Plugin plugin = plugins[i];
            String type = plugin.type();
            String name = names[i];
            String what = section + "[" + i + "] (" + (name.equals(type) ? type : name + ": " + type) + ")";
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

    /**
     * Source networks never replicated: every exclude-networks filter's networks, plus, when the
     * core manages the iptables rule ({@code rules.manage: true}), the rule's {@code exclude-sources}
     * (which defaults to those same networks).
     */
    static List<Cidr> excludedNetworks(List<ComponentBlock> filters, ConfigNode rules) {
        Set<Cidr> out = new LinkedHashSet<>();
        for (ComponentBlock b : filters) {
            if (b.type().equals(ExcludeNetworksFilterFactory.TYPE)) {
                out.addAll(ExcludeNetworksFilterFactory.networks(b.config()));
            }
        }
        if (rules != null) {
            ComponentConfig r = new ComponentConfig(rules, "rules");
            if (r.bool("manage", false) && r.has("exclude-sources")) {
                out.addAll(r.networks("exclude-sources"));
            }
        }
        return List.copyOf(out);
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
