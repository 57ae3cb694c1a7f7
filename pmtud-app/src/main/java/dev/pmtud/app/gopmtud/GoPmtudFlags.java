package dev.pmtud.app.gopmtud;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.Values;
import dev.pmtud.app.SummaryJson;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * go-pmtud's command line, so that pmtud can replace its image without touching the DaemonSet:
 * {@code --peers --iface --nodename --nflog-group --metrics-port --ttl --ignore-networks}, as
 * {@code --flag=value} or {@code --flag value}, lists comma-separated. They describe the seed's
 * pipeline: nflog, then exclude-networks, then the raw sink in l3 mode, with
 * {@code --ignore-networks} as the cluster's networks ({@code cluster: { networks: [...] }}).
 */
public final class GoPmtudFlags {
    public static final String WHERE = "go-pmtud flags";

    @Option(names = "--peers", split = ",", paramLabel = "IP[,IP...]", description = "go-pmtud: the nodes to replicate to.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--iface", paramLabel = "IFACE", description = "go-pmtud: the interface to send on (default: the default route's).")
    String iface;

    @Option(names = "--nodename", paramLabel = "NAME", description = "go-pmtud: this node's name, a metric label.")
    String nodename;

    @Option(names = "--nflog-group", paramLabel = "N", description = "go-pmtud: the NFLOG group (default 33).")
    Integer nflogGroup;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "go-pmtud: the metrics port (default 30040).")
    Integer metricsPort;

    @Option(names = "--ttl", paramLabel = "N", description = "go-pmtud: TTL of replicated packets (default 1).")
    Integer ttl;

    @Option(names = "--ignore-networks", split = ",", paramLabel = "CIDR[,CIDR...]",
            description = "go-pmtud: the cluster's node networks, never replicated again (required).")
    List<String> ignoreNetworks = new ArrayList<>();

    public boolean given() {
        return !peers.isEmpty() || iface != null || nodename != null || nflogGroup != null || metricsPort != null
                || ttl != null || !ignoreNetworks.isEmpty();
    }

    /**
     * The equivalent configuration.
     *
     * @throws ConfigException for a flag go-pmtud would also have refused (no --ignore-networks, a bad address)
     */
    public String toYaml() {
        if (ignoreNetworks.stream().allMatch(String::isBlank)) {
            // go-pmtud refused to start without it: replicas from peers would be replicated again.
            throw new ConfigException(WHERE, 0, "--ignore-networks is required, as in go-pmtud, so that replicated"
                    + " messages are not replicated again; give the nodes' network, like --ignore-networks=192.168.100.0/24");
        }
        List<String> nets = new ArrayList<>();
        for (String n : ignoreNetworks) {
            if (!n.isBlank()) {
                try {
                    nets.add(Cidr.parse(n.trim()).toString());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(WHERE, 0, "--ignore-networks: " + e.getMessage());
                }
            }
        }
        List<String> addresses = new ArrayList<>();
        for (String p : peers) {
            if (!p.isBlank()) {
                try {
                    addresses.add(Values.formatAddress(Values.parseAddress(p.trim())));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(WHERE, 0, "--peers: " + e.getMessage());
                }
            }
        }
        int group = range("--nflog-group", nflogGroup, 33, 0, 65535);
        int port = range("--metrics-port", metricsPort, 30040, 1, 65535);
        int hops = range("--ttl", ttl, 1, 1, 255);
        StringBuilder y = new StringBuilder("# The pipeline go-pmtud's flags describe (pmtud config-from-flags).\n");
        if (nodename != null && !nodename.isBlank()) {
            y.append("node: ").append(quote(nodename.trim())).append('\n');
        }
        y.append("metrics: { listen: \"0.0.0.0:").append(port).append("\" }\n");
        if (!addresses.isEmpty()) {
            y.append("peers:\n  - { type: static, addresses: ").append(list(addresses)).append(" }\n");
        }
        // --ignore-networks are the cluster's own networks: the filter drops them, the l3 loop check covers peers with them.
        y.append("cluster: { networks: ").append(list(nets)).append(" }\n");
        y.append("sources:\n  - { type: nflog, group: ").append(group).append(" }\n");
        y.append("filters:\n  - { type: exclude-networks }\n");
        y.append("sinks:\n  - { type: raw, mode: l3, ttl: ").append(hops);
        if (iface != null && !iface.isBlank()) {
            y.append(", interface: ").append(quote(iface.trim()));
        }
        y.append(" }\n");
        return y.toString();
    }

    private static int range(String flag, Integer value, int dflt, int min, int max) {
        int v = value == null ? dflt : value;
        if (v < min || v > max) {
            throw new ConfigException(WHERE, 0, flag + " is " + v + "; it must be from " + min + " to " + max);
        }
        return v;
    }

    private static String list(List<String> items) {
        List<String> q = new ArrayList<>();
        items.forEach(i -> q.add(quote(i)));
        return "[" + String.join(", ", q) + "]";
    }

    static String quote(String s) {
        return SummaryJson.quote(s); // a JSON string is a valid YAML double-quoted scalar
    }
}
