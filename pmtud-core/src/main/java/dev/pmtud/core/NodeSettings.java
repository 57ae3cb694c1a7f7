package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Values;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the top level of the configuration says for the whole node, shared by every pipeline: the
 * node's name, the metrics endpoint, the cluster's own networks and the raw {@code rules:} block
 * (validated by the app).
 *
 * @param clusterNetworks {@code cluster.networks} as written (empty without a {@code cluster:}
 *                        block); {@link NodeRuntime#clusterNetworks()} adds what filters and the
 *                        application declare
 * @param rules           the {@code rules:} map, or {@code null} when there is none
 * @param healthListen    {@code metrics.health-listen}: a second listener with {@code /healthz} and
 *                        {@code /readyz} only (go-pmtud's health port), or {@code null} for none
 * @param goPmtudMetrics  {@code metrics.go-pmtud}: {@code /metrics} also carries go-pmtud's series
 */
public record NodeSettings(String nodeName, boolean metricsEnabled, InetSocketAddress metricsListen,
                           List<Cidr> clusterNetworks, ConfigNode rules, InetSocketAddress healthListen, boolean goPmtudMetrics) {
    /** The keys of the {@code metrics:} block. */
    public static final List<String> METRICS_KEYS = List.of("enabled", "listen", "health-listen", "go-pmtud");
    /** The keys of the {@code cluster:} block. */
    public static final List<String> CLUSTER_KEYS = List.of("networks", "addresses");

    public NodeSettings {
        clusterNetworks = List.copyOf(clusterNetworks);
    }
    static final String DEFAULT_METRICS_LISTEN = "0.0.0.0:30040";

    /**
     * Reads (and checks) only node, metrics, cluster and rules; for callers that need them before building.
     * A host name in {@code metrics.listen} stays unresolved.
     */
    public static NodeSettings from(ConfigNode root) {
        ConfigNode top = ConfigRoot.requireMap(root);
        String node = nodeName(top);
        boolean enabled = true;
        InetSocketAddress listen = listenAddress(DEFAULT_METRICS_LISTEN, null, "listen");
        InetSocketAddress health = null;
        boolean goPmtud = false;
        ConfigNode m = top.get("metrics");
        if (m != null && m.kind() != ConfigNode.Kind.NULL) {
            ComponentConfig metrics = new ComponentConfig(m, "metrics");
            if (m.get("type") != null) {
                throw m.get("type").error("metrics: unknown key 'type'; allowed: " + String.join(", ", METRICS_KEYS));
            }
            metrics.checkKeys(METRICS_KEYS);
            enabled = metrics.bool("enabled", true);
            if (metrics.has("listen")) {
                listen = listenAddress(metrics.string("listen"), metrics, "listen");
            }
            if (metrics.has("health-listen")) {
                health = listenAddress(metrics.string("health-listen"), metrics, "health-listen");
            }
            goPmtud = metrics.bool("go-pmtud", false);
        }
        List<Cidr> cluster = clusterNetworks(top.get("cluster"));
        ConfigNode rules = top.get("rules");
        if (rules != null && rules.kind() == ConfigNode.Kind.NULL) {
            rules = null;
        }
        if (rules != null && !rules.isMap()) {
            throw rules.error("rules must be a map like { manage: true, ... }, not " + rules.describeKind());
        }
        return new NodeSettings(node, enabled, listen, cluster, rules, health, goPmtud);
    }

    /**
     * {@code cluster: { networks: [...] }}: the networks this cluster's nodes send from. The
     * {@code addresses:} providers are read by {@link ComponentBlocks#clusterAddresses}; with them,
     * {@code networks} may be left out.
     */
    private static List<Cidr> clusterNetworks(ConfigNode c) {
        if (c == null || c.kind() == ConfigNode.Kind.NULL) {
            return List.of();
        }
        if (!c.isMap()) {
            throw c.error("cluster must be a map like { networks: [10.0.0.0/8] }, not " + c.describeKind());
        }
        if (c.get("type") != null) {
            throw c.get("type").error("cluster: unknown key 'type'; allowed: " + String.join(", ", CLUSTER_KEYS));
        }
        ComponentConfig cluster = new ComponentConfig(c, "cluster");
        cluster.checkKeys(CLUSTER_KEYS);
        if (!cluster.has("networks") && cluster.has("addresses")) {
            return List.of();
        }
        List<Cidr> networks = cluster.networks("networks");
        if (networks.isEmpty()) {
            throw cluster.error("networks", "is " + (cluster.has("networks") ? "empty" : "missing")
                    + "; list the networks this cluster's nodes send from, like [10.0.0.0/8, 2001:db8::/32]"
                    + " (or leave out the cluster block)");
        }
        return networks;
    }

    private static String nodeName(ConfigNode root) {
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

    /** {@code host:port}, {@code [v6]:port} or {@code :port} (all addresses); literals are not looked up. */
    static InetSocketAddress listenAddress(String text, ComponentConfig at, String key) {
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
            throw at.error(key, "is '" + text + "'; write it as host:port, like 0.0.0.0:30040, [::]:30040, :30040 or 127.0.0.1:9090");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(Values.parseAddress(host), port);
        } catch (IllegalArgumentException notALiteral) {
            if (bracketed) {
                throw at.error(key, "is '" + text + "'; the part in [] must be an IPv6 address, like [::]:30040");
            }
            // A host name: resolved when the HTTP server binds, not while reading the configuration.
            return InetSocketAddress.createUnresolved(host, port);
        }
    }
}
