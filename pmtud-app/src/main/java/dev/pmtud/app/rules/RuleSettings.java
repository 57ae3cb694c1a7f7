package dev.pmtud.app.rules;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code rules:} block, read and checked on its own, before anything is built (what the rule
 * logs to and which networks it skips by default come from the built runtime: {@link RuleManager#forRuntime}):
 * <pre>
 * rules:
 *   manage: true                        # install at start, remove at stop (default false: CLI only)
 *   backend: auto                       # nftables where the kernel has nf_tables, else iptables
 *   interface: eth0                     # default: the interface of the default route
 *   exclude-sources: [192.168.100.0/24] # default: the cluster's networks (cluster.networks)
 *   table: raw                          # iptables: chain PREROUTING of raw or mangle; nftables: that priority
 * </pre>
 *
 * @param block          where the block is written, for errors about it
 * @param manage         whether the daemon installs the rule at start and removes it at stop
 * @param interfaceName  {@code rules.interface}; empty when the default route's is meant
 * @param excludeSources {@code rules.exclude-sources} as written; empty when the rule skips the cluster's networks
 */
public record RuleSettings(ConfigNode block, boolean manage, Backend backend, Optional<String> interfaceName,
                           Optional<List<Cidr>> excludeSources, String table) {
    /** Every key of the {@code rules:} block (docs/configuration.md is checked against it). */
    public static final Set<String> KEYS = Set.of("manage", "backend", "interface", "exclude-sources", "table");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@+-]{1,15}");

    /** The {@code backend:} choices. */
    public enum Backend { AUTO, NFTABLES, IPTABLES }

    /**
     * The {@code rules:} block of a configuration; empty when there is none.
     *
     * @throws dev.pmtud.api.ConfigException naming file:line for any mistake in the block
     */
    public static Optional<RuleSettings> read(ConfigNode root) {
        ConfigNode node = root.isMap() ? root.get("rules") : null;
        if (node == null || node.kind() == ConfigNode.Kind.NULL) {
            return Optional.empty();
        }
        ComponentConfig rules = new ComponentConfig(node, "rules");
        if (node.get("type") != null) {
            throw node.get("type").error("rules: unknown key 'type'; allowed: " + String.join(", ", new TreeSet<>(KEYS)));
        }
        rules.checkKeys(KEYS);
        boolean manage = rules.bool("manage", false);
        String iface = null;
        if (rules.has("interface")) {
            iface = rules.string("interface").trim();
            if (!INTERFACE.matcher(iface).matches()) {
                throw rules.error("interface", "is '" + iface + "'; it must be an interface name of 1 to 15 letters, digits or _.:@+- (like eth0)");
            }
        }
        String table = rules.oneOf("table", "raw", "raw", "mangle");
        Backend backend = Backend.valueOf(rules.oneOf("backend", "auto", "auto", "nftables", "iptables").toUpperCase(Locale.ROOT));
        Optional<List<Cidr>> excluded = rules.has("exclude-sources") ? Optional.of(List.copyOf(rules.networks("exclude-sources")))
                : Optional.empty();
        return Optional.of(new RuleSettings(node, manage, backend, Optional.ofNullable(iface), excluded, table));
    }

    /**
     * What this block adds to the cluster's networks (give it to
     * {@link dev.pmtud.core.NodeRuntimeBuilder#clusterNetworks}): a managed rule's
     * {@code exclude-sources}, since no copy from there is ever captured; nothing otherwise.
     */
    public List<Cidr> clusterNetworks() {
        return manage ? excludeSources.orElse(List.of()) : List.of();
    }
}
