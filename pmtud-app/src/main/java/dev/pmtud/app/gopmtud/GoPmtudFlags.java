package dev.pmtud.app.gopmtud;

import dev.pmtud.api.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * go-pmtud's command line, both generations, so that pmtud can replace its image without touching
 * the DaemonSet. {@code --flag=value} and {@code --flag value} both work (picocli, as cobra/pflag),
 * lists are comma-separated and may repeat, and every setting can also come from the environment as
 * {@code PMTUD_<FLAG>} (go-pmtud binds its flags to viper with {@code SetEnvPrefix("PMTUD")} and
 * {@code AutomaticEnv()}: {@code PMTUD_NFLOG_GROUP}, {@code PMTUD_NODE-TIMEOUT-MINUTES}; the latter is
 * also read as {@code PMTUD_NODE_TIMEOUT_MINUTES}). A flag beats its variable, as in viper.
 *
 * <ul>
 *   <li>2020 (the seed README): {@code --peers --iface --nodename --nflog-group --metrics-port --ttl
 *       --ignore-networks}.</li>
 *   <li>2024–2026 ({@code internal/cmd/command.go} of go-pmtud's master): {@code --iface_names
 *       --iface_mtu --nodename --nflog_group --metrics_port --health_port --ttl --kube_context
 *       --node-timeout-minutes --arp-timeout-seconds --relay-backend --replication-port
 *       --ignore-networks}, and {@code --kubeconfig}, which controller-runtime registers on Go's flag
 *       set ({@code pkg/client/config}) and go-pmtud passes through ({@code AddGoFlagSet}).</li>
 *   <li>pmtud's additions: {@code --peers} with the 2026 flags (static peers instead of the API), and
 *       {@code --relay-key-file} (sign the udp relay).</li>
 * </ul>
 *
 * What the flags become is {@link GoPmtudConfig}'s business; this class only says what was given,
 * where, and which generation that is.
 */
public final class GoPmtudFlags {
    public static final String WHERE = "go-pmtud flags";

    /** One setting, with every flag that spells it (2020's first). */
    enum Setting {
        PEERS("--peers"),
        IFACE("--iface"),
        NODENAME("--nodename"),
        NFLOG_GROUP("--nflog-group", "--nflog_group"),
        METRICS_PORT("--metrics-port", "--metrics_port"),
        TTL("--ttl"),
        IGNORE_NETWORKS("--ignore-networks"),
        IFACE_NAMES("--iface_names"),
        IFACE_MTU("--iface_mtu"),
        HEALTH_PORT("--health_port"),
        KUBE_CONTEXT("--kube_context"),
        KUBECONFIG("--kubeconfig"),
        NODE_TIMEOUT_MINUTES("--node-timeout-minutes"),
        ARP_TIMEOUT_SECONDS("--arp-timeout-seconds"),
        RELAY_BACKEND("--relay-backend"),
        REPLICATION_PORT("--replication-port"),
        RELAY_KEY_FILE("--relay-key-file");

        final List<String> flags;

        Setting(String... flags) {
            this.flags = List.of(flags);
        }

        /** {@code PMTUD_<FLAG>} as viper forms it (dashes kept), and with dashes as underscores. */
        List<String> environment() {
            Set<String> names = new LinkedHashSet<>();
            for (String f : flags) {
                String upper = f.substring(2).toUpperCase(Locale.ROOT);
                names.add("PMTUD_" + upper.replace('-', '_'));
                names.add("PMTUD_" + upper);
            }
            return List.copyOf(names);
        }

        /** Settings only the 2024–2026 releases have: any of them means today's go-pmtud. */
        boolean today() {
            return switch (this) {
                case IFACE_NAMES, IFACE_MTU, HEALTH_PORT, KUBE_CONTEXT, KUBECONFIG, NODE_TIMEOUT_MINUTES, ARP_TIMEOUT_SECONDS,
                     RELAY_BACKEND, REPLICATION_PORT, RELAY_KEY_FILE -> true;
                default -> false;
            };
        }
    }

    @Option(names = "--peers", split = ",", paramLabel = "IP",
            description = "The nodes to replicate to (default: every other Node of the Kubernetes API, at its InternalIP).")
    List<String> peers;

    @Option(names = "--iface", paramLabel = "IFACE", description = "2020: the interface to send on (default: the routing table decides).")
    String iface;

    @Option(names = "--nodename", paramLabel = "NAME", description = "This node's name: a metric label, and left out of the peers.")
    String nodename;

    @Option(names = "--nflog-group", paramLabel = "N", description = "2020 spelling of --nflog_group.")
    String nflogGroup2020;

    @Option(names = "--nflog_group", paramLabel = "N", description = "The NFLOG group (default 33).")
    String nflogGroup;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "2020 spelling of --metrics_port.")
    String metricsPort2020;

    @Option(names = "--metrics_port", paramLabel = "ADDR", description = "Where /metrics listens: :30040 (default), HOST:PORT, a port, or 0 for off.")
    String metricsPort;

    @Option(names = "--health_port", paramLabel = "ADDR", description = "Where /healthz and /readyz listen (default :30041; 0 for off).")
    String healthPort;

    @Option(names = "--ttl", paramLabel = "N", description = "TTL of replicated packets in 2020's l3 replication (default 1).")
    String ttl;

    @Option(names = "--ignore-networks", split = ",", paramLabel = "CIDR",
            description = "The cluster's node networks: messages from there are not replicated again (required with the 2020 flags).")
    List<String> ignoreNetworks;

    @Option(names = "--iface_names", split = ",", paramLabel = "IFACE",
            description = "l2: the replication interfaces; the first with --iface_mtu's MTU is used.")
    List<String> ifaceNames;

    @Option(names = "--iface_mtu", paramLabel = "MTU", description = "l2: the MTU the replication interface has (default 1500).")
    String ifaceMtu;

    @Option(names = "--kube_context", paramLabel = "NAME", description = "The kubeconfig context to find the peers in.")
    String kubeContext;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig to find the peers with (default: KUBECONFIG, in-cluster).")
    String kubeconfig;

    @Option(names = "--node-timeout-minutes", paramLabel = "N", description = "l2: how long a peer's MAC is trusted (default 5).")
    String nodeTimeoutMinutes;

    @Option(names = "--arp-timeout-seconds", paramLabel = "N", description = "l2: accepted; the kernel times neighbour resolution.")
    String arpTimeoutSeconds;

    @Option(names = "--relay-backend", paramLabel = "l2|udp", description = "l2 (default): frames to the peers' MACs; udp: the relay on --replication-port.")
    String relayBackend;

    @Option(names = "--replication-port", paramLabel = "PORT", description = "udp: the relay's port (default 4390).")
    String replicationPort;

    @Option(names = "--relay-key-file", paramLabel = "FILE", description = "pmtud's addition: sign the udp relay with this key file (pmtud keygen).")
    String relayKeyFile;

    /** Whether any setting was given, on the command line or as a {@code PMTUD_*} variable. */
    public boolean given(Function<String, String> environment) {
        for (Setting s : Setting.values()) {
            if (!fromCommandLine(s).isEmpty() || fromEnvironment(s, environment) != null) {
                return true;
            }
        }
        return false;
    }

    /** The values given, each with where it came from; checked for settings given twice and generations mixed. */
    public GoPmtudConfig config(Function<String, String> environment) {
        return new GoPmtudConfig(lookup(environment), today(environment));
    }

    /** What was given per setting: the command line's spelling first, else the environment. */
    Function<Setting, Given> lookup(Function<String, String> environment) {
        java.util.Map<Setting, Given> values = new java.util.EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            List<Given> cli = fromCommandLine(s);
            if (cli.size() > 1) {
                throw new ConfigException(WHERE, 0, cli.get(0).where() + " and " + cli.get(1).where()
                        + " are the same setting (2020's and today's spelling); give it once");
            }
            Given g = cli.isEmpty() ? fromEnvironment(s, environment) : cli.get(0);
            if (g != null) {
                values.put(s, g);
            }
        }
        return values::get;
    }

    /**
     * Whether these are today's flags (any setting only the 2024–2026 releases have, or a setting
     * spelled their way); else the 2020 ones. {@code --iface} with today's flags is refused: it names
     * 2020's sending interface, today's releases replicate on {@code --iface_names}.
     */
    boolean today(Function<String, String> environment) {
        Function<Setting, Given> values = lookup(environment);
        String todays = null;
        for (Setting s : Setting.values()) {
            Given g = values.apply(s);
            boolean todaysSpelling = s.flags.size() > 1 && g != null && g.where().equals(s.flags.get(1));
            if (g != null && (s.today() || todaysSpelling)) {
                todays = g.where();
                break;
            }
        }
        Given iface = values.apply(Setting.IFACE);
        if (todays != null && iface != null) {
            throw new ConfigException(WHERE, 0, iface.where() + " is a flag of go-pmtud's 2020 releases and " + todays
                    + " one of today's; give one generation's flags (today's replicate on --iface_names)");
        }
        return todays != null;
    }

    private List<Given> fromCommandLine(Setting s) {
        List<Given> out = new ArrayList<>();
        for (String flag : s.flags) {
            String v = field(flag);
            if (v != null) {
                out.add(new Given(v, flag));
            }
        }
        return out;
    }

    private static Given fromEnvironment(Setting s, Function<String, String> environment) {
        for (String name : s.environment()) {
            String v = environment.apply(name);
            if (v != null && !v.isEmpty()) { // viper ignores empty variables (AllowEmptyEnv is off)
                return new Given(v, name);
            }
        }
        return null;
    }

    /** The command line's value of {@code flag}, lists joined with commas; {@code null} when not given. */
    private String field(String flag) {
        return switch (flag) {
            case "--peers" -> join(peers);
            case "--iface" -> iface;
            case "--nodename" -> nodename;
            case "--nflog-group" -> nflogGroup2020;
            case "--nflog_group" -> nflogGroup;
            case "--metrics-port" -> metricsPort2020;
            case "--metrics_port" -> metricsPort;
            case "--ttl" -> ttl;
            case "--ignore-networks" -> join(ignoreNetworks);
            case "--iface_names" -> join(ifaceNames);
            case "--iface_mtu" -> ifaceMtu;
            case "--health_port" -> healthPort;
            case "--kube_context" -> kubeContext;
            case "--kubeconfig" -> kubeconfig;
            case "--node-timeout-minutes" -> nodeTimeoutMinutes;
            case "--arp-timeout-seconds" -> arpTimeoutSeconds;
            case "--relay-backend" -> relayBackend;
            case "--replication-port" -> replicationPort;
            case "--relay-key-file" -> relayKeyFile;
            default -> throw new IllegalArgumentException(flag);
        };
    }

    private static String join(List<String> list) {
        return list == null ? null : String.join(",", list);
    }
}
