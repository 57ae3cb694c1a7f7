package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * go-pmtud's flags of both generations, each as {@code --flag=value}, {@code --flag value} and
 * {@code PMTUD_<FLAG>}: the three print the same configuration, which holds what the value says and
 * passes {@code validate}. Mistakes are one line naming the flag (or variable), exit 2.
 */
class GoPmtudFlagsTest {
    @TempDir
    Path dir;

    /** One flag: its value, its variable, the base flags it needs, and what the YAML must then say. */
    record Case(String flag, String value, String variable, List<String> base, String... expected) {
    }

    static final List<String> SEED = List.of("--ignore-networks", "198.51.100.0/24");
    static final List<String> UDP = List.of("--relay-backend", "udp", "--peers", "192.0.2.2");

    /** l2 needs an interface with --iface_mtu's MTU on this machine: the loopback, whatever its MTU. */
    static List<String> l2() throws Exception {
        return List.of("--iface_names", "lo", "--iface_mtu", String.valueOf(loMtu()), "--peers", "192.0.2.2");
    }

    static int loMtu() throws Exception {
        return NetworkInterface.getByName("lo").getMTU();
    }

    List<Case> cases2020() {
        return List.of(
                new Case("--peers", "192.0.2.2,192.0.2.3", "PMTUD_PEERS", SEED, "addresses: [\"192.0.2.2\", \"192.0.2.3\"]"),
                new Case("--iface", "eth0", "PMTUD_IFACE", SEED, "{ type: raw, mode: l3, ttl: 1, interface: \"eth0\" }"),
                new Case("--nodename", "node-1", "PMTUD_NODENAME", SEED, "node: \"node-1\""),
                new Case("--nflog-group", "34", "PMTUD_NFLOG_GROUP", SEED, "{ type: nflog, group: 34 }"),
                new Case("--metrics-port", "30050", "PMTUD_METRICS_PORT", SEED, "listen: \":30050\""),
                new Case("--ttl", "5", "PMTUD_TTL", SEED, "{ type: raw, mode: l3, ttl: 5 }"),
                new Case("--ignore-networks", "192.0.2.0/24,2001:db8:1::/64", "PMTUD_IGNORE_NETWORKS", List.of(),
                        "cluster: { networks: [\"192.0.2.0/24\", \"2001:db8:1::/64\"] }", "  - { type: exclude-networks }\n"));
    }

    List<Case> cases2026(Path kubeconfig, Path key) throws Exception {
        int mtu = loMtu();
        return List.of(
                new Case("--iface_names", "pmtud-none0,lo", "PMTUD_IFACE_NAMES", List.of("--iface_mtu", String.valueOf(mtu)),
                        "{ type: raw, mode: l2-unicast, interface: \"lo\", refresh: 5m }"),
                new Case("--iface_mtu", String.valueOf(mtu), "PMTUD_IFACE_MTU", List.of("--iface_names", "lo"), "interface: \"lo\""),
                new Case("--nodename", "node-2", "PMTUD_NODENAME", UDP, "node: \"node-2\""),
                new Case("--nflog_group", "35", "PMTUD_NFLOG_GROUP", UDP, "sources: [ { type: nflog, group: 35 } ]"),
                new Case("--metrics_port", "127.0.0.1:9100", "PMTUD_METRICS_PORT", UDP,
                        "metrics: { listen: \"127.0.0.1:9100\", health-listen: \":30041\", go-pmtud: true }"),
                new Case("--health_port", ":9101", "PMTUD_HEALTH_PORT", UDP, "health-listen: \":9101\""),
                new Case("--ttl", "3", "PMTUD_TTL", UDP, "# --ttl 3 is not used: the udp backend sends the packet as captured"),
                new Case("--kube_context", "cluster-b", "PMTUD_KUBE_CONTEXT", List.of("--relay-backend", "udp", "--kubeconfig", kubeconfig.toString()),
                        "{ type: kubernetes, address-type: InternalIP, first-address-fallback: true, context: \"cluster-b\", kubeconfig: \""
                                + kubeconfig + "\" }"),
                new Case("--kubeconfig", kubeconfig.toString(), "PMTUD_KUBECONFIG", List.of("--relay-backend", "udp"),
                        "{ type: kubernetes, address-type: InternalIP, first-address-fallback: true, kubeconfig: \"" + kubeconfig + "\" }"),
                new Case("--node-timeout-minutes", "7", "PMTUD_NODE-TIMEOUT-MINUTES", l2(), "refresh: 7m }"),
                new Case("--arp-timeout-seconds", "2", "PMTUD_ARP-TIMEOUT-SECONDS", l2(),
                        "is accepted: the kernel resolves the peers' MACs"),
                new Case("--relay-backend", "udp", "PMTUD_RELAY-BACKEND", List.of("--peers", "192.0.2.2"),
                        "    sinks:   [ { type: udp, port: 4390 } ]", "    sources: [ { type: udp, listen: \"[::]:4390\" } ]",
                        "    sinks:   [ { type: inject, device: pmtud0 } ]", "rules: { manage: true }"),
                new Case("--replication-port", "4391", "PMTUD_REPLICATION-PORT", UDP, "{ type: udp, port: 4391 }", "listen: \"[::]:4391\""),
                new Case("--ignore-networks", "192.0.2.0/24", "PMTUD_IGNORE-NETWORKS", UDP, "cluster: { networks: [\"192.0.2.0/24\"] }",
                        "    filters: [ { type: exclude-networks } ]"),
                new Case("--peers", "192.0.2.7", "PMTUD_PEERS", List.of("--relay-backend", "udp"), "{ type: static, addresses: [\"192.0.2.7\"] }"),
                new Case("--relay-key-file", key.toString(), "PMTUD_RELAY_KEY_FILE", UDP, "{ type: udp, port: 4390, key-file: \"" + key + "\" }",
                        "{ type: udp, listen: \"[::]:4390\", key-file: \"" + key + "\" }"));
    }

    @Test
    void every2020FlagInEveryFormGivesTheSameValidConfiguration() throws Exception {
        for (Case c : cases2020()) {
            String yaml = sameInEveryForm(c);
            assertTrue(yaml.contains("{ type: raw, mode: l3"), c.flag() + ": 2020's replication, l3:\n" + yaml);
            assertFalse(yaml.contains("rules:") || yaml.contains("health-listen"), c.flag() + ": 2020's go-pmtud had neither:\n" + yaml);
        }
    }

    @Test
    void everyTodaysFlagInEveryFormGivesTheSameValidConfiguration() throws Exception {
        Path kubeconfig = KubeContextTest.twoContexts(dir, "http://127.0.0.1:1", "http://127.0.0.1:2");
        Path key = dir.resolve("relay.key");
        assertEquals(Main.OK, CliRunner.run("keygen", "--output", key.toString()).status());
        for (Case c : cases2026(kubeconfig, key)) {
            String yaml = sameInEveryForm(c);
            assertTrue(yaml.contains("rules: { manage: true }"), c.flag() + ": today's go-pmtud owns its rule:\n" + yaml);
        }
    }

    /** The YAML of {@code c} given as --flag=value; the same from --flag value and from the variable; valid. */
    private String sameInEveryForm(Case c) throws Exception {
        CliRunner.Result equals = fromFlags(Map.of(), with(c.base(), c.flag() + "=" + c.value()));
        assertEquals(Main.OK, equals.status(), c.flag() + "=" + c.value() + ": " + equals);
        for (String e : c.expected()) {
            assertTrue(equals.out().contains(e), c.flag() + "=" + c.value() + " should give '" + e + "':\n" + equals.out());
        }
        CliRunner.Result space = fromFlags(Map.of(), with(c.base(), c.flag(), c.value()));
        assertEquals(equals.out(), space.out(), c.flag() + " " + c.value() + ": the same as with '='; " + space);
        CliRunner.Result variable = fromFlags(Map.of(c.variable(), c.value()), c.base().toArray(String[]::new));
        // the same, but for comments that name where a value came from
        assertEquals(equals.out(), variable.out().replace(c.variable(), c.flag()), c.variable() + "=" + c.value()
                + ": the same as the flag; " + variable);

        Path file = dir.resolve("from-flags.yaml");
        Files.writeString(file, equals.out());
        CliRunner.Result v = CliRunner.run("validate", "--config", file.toString());
        assertEquals(Main.OK, v.status(), c.flag() + "=" + c.value() + ": the printed YAML is valid:\n" + equals.out() + v);
        return equals.out();
    }

    @Test
    void aFlagBeatsItsVariableAndEmptyVariablesAreIgnored() {
        CliRunner.Result r = fromFlags(Map.of("PMTUD_NFLOG_GROUP", "37", "PMTUD_NODENAME", ""), "--nflog_group", "36",
                "--relay-backend=udp", "--peers=192.0.2.2");
        assertEquals(Main.OK, r.status(), r.toString());
        assertTrue(r.out().contains("{ type: nflog, group: 36 }") && !r.out().contains("node:"), r.out());
    }

    /** What go-pmtud's DaemonSet says today, with pmtud's --peers (no API here): the relay pipelines, health port, managed rule. */
    @Test
    void todaysUdpFlagsAreTheRelayOfDocsRelayMd() {
        CliRunner.Result r = fromFlags(Map.of(), "--relay-backend=udp", "--nodename", "node-1", "--peers=192.0.2.2,192.0.2.3",
                "--ignore-networks=192.0.2.0/24");
        assertEquals(Main.OK, r.status(), r.toString());
        assertEquals("""
                # The pipelines go-pmtud's flags describe (pmtud config-from-flags); relay backend udp.
                node: "node-1"
                metrics: { listen: ":30040", health-listen: ":30041", go-pmtud: true }
                peers:
                  - { type: static, addresses: ["192.0.2.2", "192.0.2.3"] }
                cluster: { networks: ["192.0.2.0/24"] }
                pipelines:
                  - name: replicate
                    sources: [ { type: nflog, group: 33 } ]
                    filters: [ { type: exclude-networks } ]
                    sinks:   [ { type: udp, port: 4390 } ]
                  - name: receive
                    sources: [ { type: udp, listen: "[::]:4390" } ]
                    sinks:   [ { type: inject, device: pmtud0 } ]
                rules: { manage: true }
                """, r.out());
    }

    @Test
    void zeroTurnsAListenerOffAsInControllerRuntime() {
        CliRunner.Result r = fromFlags(Map.of(), "--relay-backend=udp", "--peers=192.0.2.2", "--metrics_port=0", "--health_port", "0");
        assertEquals(Main.OK, r.status(), r.toString());
        assertTrue(r.out().contains("metrics: { enabled: false, go-pmtud: true }"), r.out());
    }

    @Test
    void anL2InterfaceThisMachineLacksIsWrittenWithACommentAndRefusedByTheDropIn() throws Exception {
        int wrong = loMtu() == 1500 ? 9000 : 1500;
        String[] flags = {"--iface_names=pmtud-none0,lo", "--iface_mtu=" + wrong, "--peers=192.0.2.2"};
        CliRunner.Result printed = fromFlags(Map.of(), flags);
        assertEquals(Main.OK, printed.status(), printed.toString());
        assertTrue(printed.out().contains("# none of --iface_names pmtud-none0,lo has MTU " + wrong + " here (pmtud-none0 does not exist, lo has MTU "
                + loMtu() + ")"), printed.out());
        assertTrue(printed.out().contains("interface: \"pmtud-none0\""), printed.out());

        CliRunner.Result run = CliRunner.run(flags);
        assertEquals(Main.FAILED, run.status(), "go-pmtud refuses to start without its replication interface: " + run);
        assertOneLine(run, "none of --iface_names pmtud-none0,lo has MTU " + wrong);
    }

    @Test
    void mistakesAreOneLineNamingTheFlagAndExit2() {
        Map<List<String>, String> mistakes = new java.util.LinkedHashMap<>();
        mistakes.put(List.of("--nflog-grup=3"), "--nflog-grup");
        mistakes.put(List.of("--relay-backend=udp", "--peers=192.0.2.2", "--nflog_group=abc"), "--nflog_group is 'abc'");
        mistakes.put(List.of("--relay-backend=udp", "--peers=192.0.2.2", "--nflog_group=70000"), "--nflog_group is '70000'");
        mistakes.put(List.of("--relay-backend=udp", "--peers=192.0.2.2", "--metrics_port=abc"), "--metrics_port is 'abc'");
        mistakes.put(List.of("--relay-backend=udp", "--peers=192.0.2.2", "--health_port=:99999"), "--health_port is ':99999'");
        mistakes.put(List.of("--relay-backend=tcp"), "--relay-backend is 'tcp'; it must be \"l2\" or \"udp\"");
        mistakes.put(List.of("--relay-backend=udp", "--metrics_port=:30041"), "--metrics_port is ':30041'; that is where the health probes listen");
        mistakes.put(List.of("--ignore-networks=192.0.2.0/24", "--ttl=0"), "--ttl is '0'");
        mistakes.put(List.of("--iface_names=lo", "--iface_mtu=x"), "--iface_mtu is 'x'");
        mistakes.put(List.of("--iface_names=lo", "--node-timeout-minutes=0"), "--node-timeout-minutes is '0'");
        mistakes.put(List.of("--iface_names=lo", "--arp-timeout-seconds=-1"), "--arp-timeout-seconds is '-1'");
        mistakes.put(List.of("--relay-backend=udp", "--replication-port=0"), "--replication-port is '0'");
        mistakes.put(List.of("--ignore-networks=192.0.2.0/24", "--peers=192.0.2.2,node-b"), "--peers: 'node-b' is not an IP address");
        mistakes.put(List.of("--ignore-networks=192.0.2.0/33"), "--ignore-networks");
        mistakes.put(List.of("--nflog-group=1", "--nflog_group=2"), "--nflog-group and --nflog_group are the same setting");
        mistakes.put(List.of("--iface=eth0", "--iface_names=eth0"), "--iface is a flag of go-pmtud's 2020 releases and --iface_names");
        mistakes.put(List.of("--relay-backend=udp", "--peers=192.0.2.2", "--kube_context=c"), "--peers lists the peers and --kube_context");
        mistakes.put(List.of("--ttl=1", "--ttl=2"), "--ttl");
        mistakes.put(List.of("--ignore-networks=192.0.2.0/24", "--nodename"), "--nodename");
        mistakes.put(List.of("--relay-backend=l2"), "--iface_names");
        mistakes.put(List.of("--peers=192.0.2.2"), "--ignore-networks is required");
        for (Map.Entry<List<String>, String> m : mistakes.entrySet()) {
            List<String> args = new ArrayList<>(List.of("config-from-flags"));
            args.addAll(m.getKey());
            CliRunner.Result printed = CliRunner.run(args.toArray(String[]::new));
            assertEquals(Main.BAD_CONFIG, printed.status(), "config-from-flags " + m.getKey() + ": " + printed);
            assertOneLine(printed, m.getValue());
            assertEquals("", printed.out(), "nothing printed for " + m.getKey());
            // the drop-in parses the same way, and stops before anything opens
            CliRunner.Result run = CliRunner.run(m.getKey().toArray(String[]::new));
            assertEquals(Main.BAD_CONFIG, run.status(), m.getKey() + ": " + run);
            assertOneLine(run, m.getValue());
        }
    }

    @Test
    void aMalformedVariableIsNamedAndAVariableAloneStartsTheDropIn() {
        CliRunner.Result printed = fromFlags(Map.of("PMTUD_NFLOG_GROUP", "abc"), "--relay-backend=udp", "--peers=192.0.2.2");
        assertEquals(Main.BAD_CONFIG, printed.status(), printed.toString());
        assertOneLine(printed, "PMTUD_NFLOG_GROUP is 'abc'");
        // no flag at all: the variables alone are go-pmtud's configuration (as its DaemonSet may give it)
        CliRunner.Result run = CliRunner.run(Map.of("PMTUD_RELAY-BACKEND", "udp", "PMTUD_REPLICATION-PORT", "99999"), new StopSignal());
        assertEquals(Main.BAD_CONFIG, run.status(), run.toString());
        assertOneLine(run, "PMTUD_REPLICATION-PORT is '99999'");
        // and with neither, the usage
        CliRunner.Result usage = CliRunner.run();
        assertEquals(Main.OK, usage.status());
        assertTrue(usage.out().contains("go-pmtud drop-in"), usage.out());
    }

    private static void assertOneLine(CliRunner.Result r, String naming) {
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line: " + r);
        assertTrue(lines.get(0).contains(naming), "names '" + naming + "': " + r);
    }

    private static CliRunner.Result fromFlags(Map<String, String> env, String... flags) {
        List<String> args = new ArrayList<>(List.of("config-from-flags"));
        args.addAll(List.of(flags));
        return CliRunner.run(env, new StopSignal(), args.toArray(String[]::new));
    }

    private static String[] with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
