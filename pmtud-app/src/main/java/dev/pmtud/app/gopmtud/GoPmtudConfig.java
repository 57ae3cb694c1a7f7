package dev.pmtud.app.gopmtud;

import dev.pmtud.api.ConfigException;
import dev.pmtud.app.StartupException;
import dev.pmtud.app.SummaryJson;
import dev.pmtud.app.gopmtud.GoPmtudFlags.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The configuration go-pmtud's flags describe, as the YAML {@code pmtud config-from-flags} prints and
 * the drop-in mode runs (one text, so what runs is what is printed):
 * <ul>
 *   <li>2020 flags: nflog, exclude-networks (the {@code --ignore-networks}, required as go-pmtud
 *       required them), the {@code raw} sink in {@code l3} mode with {@code --ttl}; no health port, no
 *       managed rule (its initContainer installed that).</li>
 *   <li>Today's, {@code --relay-backend=l2} (the default): nflog, exclude-networks when
 *       {@code --ignore-networks} are given, {@code raw} in {@code l2-unicast} mode on the interface of
 *       {@code --iface_names} that has {@code --iface_mtu} ({@link ReplicationInterface}), the peers'
 *       MACs re-read every {@code --node-timeout-minutes}.</li>
 *   <li>Today's, {@code --relay-backend=udp}: pipeline {@code replicate} (nflog, exclude-networks,
 *       {@code udp} sink to {@code --replication-port}) and pipeline {@code receive} ({@code udp}
 *       source on that port, {@code inject} sink into {@code pmtud0}): the relay of docs/relay.md,
 *       unsigned as go-pmtud's unless {@code --relay-key-file} is given.</li>
 * </ul>
 * Today's releases own their capture rule and serve {@code /healthz} and {@code /readyz} on
 * {@code --health_port}: {@code rules: { manage: true }} and {@code metrics.health-listen}. Peers are
 * {@code --peers}, else every other Node of the Kubernetes API at its InternalIP, its first address
 * when it has none ({@code internal/node/reconciler.go}), through {@code --kubeconfig} and
 * {@code --kube_context}. go-pmtud's metric names are on {@code /metrics} ({@code metrics.go-pmtud}).
 */
public final class GoPmtudConfig {
    /** The pipelines of the udp relay, as docs/relay.md names them. */
    public static final String REPLICATE = "replicate";
    public static final String RECEIVE = "receive";
    /** go-pmtud's TUN device ({@code TUNDeviceName} in its {@code internal/relay/udp}). */
    static final String TUN_DEVICE = "pmtud0";

    /** How the messages get to the peers. */
    public enum Backend {
        /** 2020: the ICMP message in a new IPv4 header to each peer. */
        L3,
        /** today's default: the packet as captured in an Ethernet frame to each peer's MAC. */
        L2,
        /** today's {@code --relay-backend=udp}: the packet in a UDP datagram, injected by the peer. */
        UDP
    }

    private final Function<Setting, Given> values;
    private final boolean today;
    private final Backend backend;
    private final List<String> notes = new ArrayList<>();

    GoPmtudConfig(Function<Setting, Given> values, boolean today) {
        this.values = values;
        this.today = today;
        Given b = values.apply(Setting.RELAY_BACKEND);
        if (b == null) {
            backend = today ? Backend.L2 : Backend.L3;
        } else {
            backend = switch (b.text().trim()) {
                case "l2" -> Backend.L2;
                case "udp" -> Backend.UDP;
                default -> throw b.error("it must be \"l2\" or \"udp\" (as in go-pmtud)");
            };
        }
    }

    public Backend backend() {
        return backend;
    }

    /** Whether the flags build go-pmtud's unsigned relay (udp without {@code --relay-key-file}). */
    public boolean unauthenticatedRelay() {
        return backend == Backend.UDP && values.apply(Setting.RELAY_KEY_FILE) == null;
    }

    /** What the flags say that the configuration cannot (accepted, no effect); also comments in {@link #yaml}. Read after it. */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /**
     * The configuration file.
     *
     * @param strict the drop-in mode: no interface of {@code --iface_names} with {@code --iface_mtu}
     *               here is a start failure, as in go-pmtud; otherwise ({@code config-from-flags}, maybe
     *               on another machine) the first is written, with a comment
     * @throws ConfigException for a malformed or missing flag, naming it
     */
    public String yaml(boolean strict) {
        notes.clear();
        String node = text(Setting.NODENAME);
        String metrics = listen(Setting.METRICS_PORT, ":30040");
        String health = today ? listen(Setting.HEALTH_PORT, ":30041") : null;
        if (health != null && health.equals(metrics)) {
            throw values.apply(Setting.HEALTH_PORT) != null ? values.apply(Setting.HEALTH_PORT).error("that is where /metrics listens too;"
                    + " give the health probes a port of their own (go-pmtud's is :30041), or 0 for none")
                    : values.apply(Setting.METRICS_PORT).error("that is where the health probes listen (go-pmtud's :30041);"
                    + " give /metrics another port, or --health_port another");
        }
        int group = number(Setting.NFLOG_GROUP, 33, 0, 65535, "an NFLOG group");
        List<String> networks = values.apply(Setting.IGNORE_NETWORKS) == null ? List.of() : values.apply(Setting.IGNORE_NETWORKS).networks();
        if (backend == Backend.L3 && networks.isEmpty()) {
            // go-pmtud 2020 refused to start without it: replicas from peers would be replicated again.
            throw new ConfigException(GoPmtudFlags.WHERE, 0, "--ignore-networks is required, as in go-pmtud, so that replicated"
                    + " messages are not replicated again; give the nodes' network, like --ignore-networks=192.168.100.0/24");
        }
        String peers = peers();
        String sinks = sinks(strict);

        StringBuilder y = new StringBuilder();
        y.append(backend == Backend.UDP ? "# The pipelines" : "# The pipeline").append(" go-pmtud's flags describe (pmtud config-from-flags)")
                .append(today ? "; relay backend " + backend.name().toLowerCase(Locale.ROOT) : "").append(".\n");
        for (String n : notes) {
            y.append("# ").append(n).append('\n');
        }
        if (node != null) {
            y.append("node: ").append(quote(node)).append('\n');
        }
        y.append("metrics: { ").append(metrics == null ? "enabled: false" : "listen: " + quote(metrics))
                .append(health == null ? "" : ", health-listen: " + quote(health)).append(", go-pmtud: true }\n");
        y.append(peers);
        if (!networks.isEmpty()) {
            // --ignore-networks are the cluster's own networks: the filter drops them, the rule skips them, the l3 check accepts peers in them.
            y.append("cluster: { networks: ").append(list(networks)).append(" }\n");
        }
        String source = "{ type: nflog, group: " + group + " }";
        String filter = networks.isEmpty() ? null : "{ type: exclude-networks }";
        if (backend == Backend.UDP) {
            int port = number(Setting.REPLICATION_PORT, 4390, 1, 65535, "a UDP port");
            String key = keyFile();
            y.append("pipelines:\n");
            y.append("  - name: ").append(REPLICATE).append('\n');
            y.append("    sources: [ ").append(source).append(" ]\n");
            if (filter != null) {
                y.append("    filters: [ ").append(filter).append(" ]\n");
            }
            y.append("    sinks:   [ { type: udp, port: ").append(port).append(key).append(" } ]\n");
            y.append("  - name: ").append(RECEIVE).append('\n');
            y.append("    sources: [ { type: udp, listen: \"[::]:").append(port).append('"').append(key).append(" } ]\n");
            y.append("    sinks:   [ { type: inject, device: ").append(TUN_DEVICE).append(" } ]\n");
        } else {
            y.append("sources:\n  - ").append(source).append('\n');
            if (filter != null) {
                y.append("filters:\n  - ").append(filter).append('\n');
            }
            y.append("sinks:\n").append(sinks);
        }
        if (today) {
            // Today's releases own their rule (an nftables table, on the default route's interface).
            y.append("rules: { manage: true }\n");
        }
        return y.toString();
    }

    /** {@code --peers}, else the Kubernetes API as go-pmtud asks it. */
    private String peers() {
        Given peers = values.apply(Setting.PEERS);
        Given context = values.apply(Setting.KUBE_CONTEXT);
        Given kubeconfig = values.apply(Setting.KUBECONFIG);
        if (peers != null) {
            Given api = context != null ? context : kubeconfig;
            if (api != null) {
                throw new ConfigException(GoPmtudFlags.WHERE, 0, peers.where() + " lists the peers and " + api.where()
                        + " says where to ask the Kubernetes API for them; give one of the two");
            }
            List<String> addresses = peers.addresses();
            return addresses.isEmpty() ? "" : "peers:\n  - { type: static, addresses: " + list(addresses) + " }\n";
        }
        StringBuilder k = new StringBuilder("peers:\n  - { type: kubernetes, address-type: InternalIP, first-address-fallback: true");
        if (context != null && !context.text().isBlank()) {
            k.append(", context: ").append(quote(context.text().trim()));
        }
        if (kubeconfig != null && !kubeconfig.text().isBlank()) {
            k.append(", kubeconfig: ").append(quote(kubeconfig.text().trim()));
        }
        return k.append(" }\n").toString();
    }

    /** The one pipeline's sink: 2020's l3, or today's l2; notes for the flags the chosen backend does not use. */
    private String sinks(boolean strict) {
        Given ttl = values.apply(Setting.TTL);
        int hops = number(Setting.TTL, 1, 1, 255, "a TTL");
        if (backend == Backend.L3) {
            String iface = text(Setting.IFACE);
            return "  - { type: raw, mode: l3, ttl: " + hops + (iface == null ? "" : ", interface: " + quote(iface)) + " }\n";
        }
        if (ttl != null) {
            notes.add(ttl.where() + " " + hops + " is not used: the " + backend.name().toLowerCase(Locale.ROOT)
                    + " backend sends the packet as captured, with its own TTL");
        }
        if (backend == Backend.UDP) {
            for (Setting s : List.of(Setting.IFACE_NAMES, Setting.IFACE_MTU, Setting.NODE_TIMEOUT_MINUTES, Setting.ARP_TIMEOUT_SECONDS)) {
                Given g = values.apply(s);
                if (g != null) {
                    notes.add(g.where() + " is not used: it belongs to the l2 backend");
                }
            }
            return "";
        }
        for (Setting s : List.of(Setting.REPLICATION_PORT, Setting.RELAY_KEY_FILE)) {
            Given g = values.apply(s);
            if (g != null) {
                notes.add(g.where() + " is not used: it belongs to the udp backend");
            }
        }
        Given names = values.apply(Setting.IFACE_NAMES);
        List<String> ifaces = names == null ? List.of() : names.items();
        if (ifaces.isEmpty()) {
            throw new ConfigException(GoPmtudFlags.WHERE, 0, "--relay-backend=l2 (go-pmtud's default) needs --iface_names, the interfaces"
                    + " to replicate on, like --iface_names=eth0; or replicate over UDP with --relay-backend=udp");
        }
        int mtu = number(Setting.IFACE_MTU, 1500, 1, Integer.MAX_VALUE, "an MTU"); // go-pmtud takes any int (lo has 65536)
        int minutes = number(Setting.NODE_TIMEOUT_MINUTES, 5, 1, 1440, "minutes");
        Given arp = values.apply(Setting.ARP_TIMEOUT_SECONDS);
        if (arp != null) {
            arp.number(1, 3600, "seconds");
            notes.add(arp.where() + " is accepted: the kernel resolves the peers' MACs, with its own neighbour timers");
        }
        String chosen = ReplicationInterface.pick(ifaces, mtu).orElse(null);
        if (chosen == null) {
            String why = "none of " + names.where() + " " + String.join(",", ifaces) + " has MTU " + mtu + " here ("
                    + ReplicationInterface.seen(ifaces) + ")";
            if (strict) {
                throw new StartupException(why + "; go-pmtud replicates on the first that has --iface_mtu's MTU: give the MTU"
                        + " your replication interface has, or its name");
            }
            chosen = ifaces.get(0);
            notes.add(why + "; on the node, go-pmtud takes the first of them with that MTU: " + chosen + " is written, check it");
        }
        return "  - { type: raw, mode: l2-unicast, interface: " + quote(chosen) + ", refresh: " + minutes + "m }\n";
    }

    /** {@code , key-file: "FILE"} for the relay's sink and source, or nothing (go-pmtud's unsigned format). */
    private String keyFile() {
        String key = text(Setting.RELAY_KEY_FILE);
        return key == null ? "" : ", key-file: " + quote(key);
    }

    private String listen(Setting s, String dflt) {
        Given g = values.apply(s);
        return g == null ? dflt : g.listenAddress();
    }

    private int number(Setting s, int dflt, int min, int max, String what) {
        Given g = values.apply(s);
        return g == null ? dflt : g.number(min, max, what);
    }

    private String text(Setting s) {
        Given g = values.apply(s);
        return g == null || g.text().isBlank() ? null : g.text().trim();
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
