package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pmtud validate} on good configurations: every pipeline listed, and the sinks' notes. */
class ValidateTest {
    @TempDir
    Path dir;

    private CliRunner.Result validate(String yaml) throws Exception {
        Path file = dir.resolve("pmtud.yaml");
        Files.writeString(file, yaml);
        return CliRunner.run("validate", "--config", file.toString());
    }

    private static List<String> notes(CliRunner.Result r) {
        return r.out().lines().filter(l -> l.startsWith("NOTE: ")).toList();
    }

    /** The Services' IPs are read once the daemon runs: validating contacts no API server (here: none exists). */
    @Test
    void clusterAddressProvidersAreCheckedNotStarted() throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, String.join("\n", "apiVersion: v1", "kind: Config", "current-context: c",
                "clusters: [{name: k, cluster: {server: 'https://127.0.0.1:1'}}]", "users: [{name: u, user: {token: t}}]",
                "contexts: [{name: c, context: {cluster: k, user: u}}]", ""));
        CliRunner.Result r = validate("""
                node: a
                cluster:
                  addresses:
                    - { type: kubernetes-services, kubeconfig: %s }
                    - { type: static, addresses: [192.0.2.10] }
                sources: [ { type: pcap-file, path: in.pcap } ]
                filters: [ { type: service-addresses, peers: false, cluster-networks: false } ]
                """.formatted(kubeconfig));
        assertEquals(Main.OK, r.status(), r.toString());
        assertEquals(List.of("OK: " + dir.resolve("pmtud.yaml"), "  pipeline main: sources [pcap-file], filters [service-addresses], sinks []"),
                r.out().lines().toList());
        assertTrue(!r.err().contains("kubernetes services"), "no list was tried: " + r.err());
    }

    @Test
    void printsEveryPipelineWithItsSourcesFiltersAndSinks() throws Exception {
        CliRunner.Result r = validate("""
                node: a
                pipelines:
                  - name: relay
                    sources: [ { type: pcap-file, path: in.pcap } ]
                    filters: [ { type: dedup, window: 1s }, { type: rate-limit, per-source: 1/s } ]
                    sinks: [ { type: log } ]
                  - name: receive
                    sources: [ { type: pcap-file, path: other.pcap, name: other } ]
                    sinks: [ { type: pcap-file, path: out.pcap } ]
                """);
        assertEquals(Main.OK, r.status(), r.toString());
        assertEquals(List.of("OK: " + dir.resolve("pmtud.yaml"),
                "  pipeline relay: sources [pcap-file], filters [dedup, rate-limit], sinks [log]",
                "  pipeline receive: sources [other], filters [], sinks [pcap-file]"), r.out().lines().toList());
    }

    @Test
    void l3AndL2BroadcastComeWithANoteAndL2UnicastWithNone() throws Exception {
        CliRunner.Result l3 = validate("""
                sources: [ { type: pcap-file, path: in.pcap } ]
                sinks: [ { type: raw, mode: l3 } ]
                """);
        assertEquals(Main.OK, l3.status(), l3.toString());
        assertEquals(1, notes(l3).size(), l3.toString());
        String note = notes(l3).get(0);
        assertTrue(note.startsWith("NOTE: pipeline main, sink raw: l3 reaches host sockets only: a connection served by a pod"
                + " behind DNAT never learns the MTU"), note);
        assertTrue(note.contains("nf_conntrack_inet_error, \"outer daddr != inner\""), note);
        assertTrue(note.endsWith("use the udp relay, or l2-unicast on one L2 segment"), note);

        CliRunner.Result broadcast = validate("""
                sources: [ { type: pcap-file, path: in.pcap } ]
                sinks: [ { type: raw, mode: l2-broadcast, interface: eth0 } ]
                """);
        assertEquals(Main.OK, broadcast.status(), broadcast.toString());
        assertEquals(List.of("NOTE: pipeline main, sink raw: ip_forward() drops what arrived as a link-layer broadcast,"
                + " so copies reach host sockets, never a pod; use the udp relay or l2-unicast"), notes(broadcast));

        CliRunner.Result unicast = validate("""
                sources: [ { type: pcap-file, path: in.pcap } ]
                sinks: [ { type: raw, mode: l2-unicast, interface: eth0 } ]
                """);
        assertEquals(Main.OK, unicast.status(), unicast.toString());
        assertEquals(List.of(), notes(unicast), unicast.toString());
    }

    @Test
    void captureAndManagedRuleOnAnotherDeviceThanTheInjectedOneAreAllowed() throws Exception {
        CliRunner.Result r = validate("""
                pipelines:
                  - name: capture
                    sources: [ { type: pcap, interface: eth0 }, { type: nflog, group: 33 } ]
                  - name: receive
                    sources: [ { type: pcap-file, path: in.pcap } ]
                    sinks: [ { type: test-inject, device: pmtud0 } ]
                rules: { manage: true, interface: eth0 }
                """);
        assertEquals(Main.OK, r.status(), r.toString());
        assertTrue(r.out().contains("  pipeline capture: sources [pcap, nflog], filters [], sinks []"), r.toString());
    }
}
