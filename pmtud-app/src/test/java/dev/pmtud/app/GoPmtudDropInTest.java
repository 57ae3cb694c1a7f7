package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.app.gopmtud.GoPmtudMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** go-pmtud's flags and metric names. */
class GoPmtudDropInTest {
    @TempDir
    Path dir;

    @Test
    void flagsBecomeTheSeedsPipelineInBothSpellings() throws Exception {
        CliRunner.Result r = CliRunner.run("config-from-flags", "--peers=192.0.2.2,192.0.2.3", "--iface", "eth0",
                "--nodename", "node-1", "--nflog-group=34", "--metrics-port", "30041", "--ttl=5",
                "--ignore-networks", "192.0.2.0/24,2001:db8:1::/64");
        assertEquals(Main.OK, r.status(), r.toString());
        String yaml = r.out();
        assertTrue(yaml.contains("node: \"node-1\""), yaml);
        assertTrue(yaml.contains("listen: \"0.0.0.0:30041\""), yaml);
        assertTrue(yaml.contains("addresses: [\"192.0.2.2\", \"192.0.2.3\"]"), yaml);
        assertTrue(yaml.contains("{ type: nflog, group: 34 }"), yaml);
        assertTrue(yaml.contains("networks: [\"192.0.2.0/24\", \"2001:db8:1::/64\"]"), yaml);
        assertTrue(yaml.contains("\ncluster: { networks: [\"192.0.2.0/24\", \"2001:db8:1::/64\"] }\n"), "--ignore-networks are the cluster's: " + yaml);
        assertTrue(yaml.contains("  - { type: exclude-networks }\n"), "the filter drops the cluster's networks: " + yaml);
        assertTrue(yaml.contains("{ type: raw, mode: l3, ttl: 5, interface: \"eth0\" }"), yaml);
        // filters run in go-pmtud's order: nflog -> exclude-networks -> raw
        assertTrue(yaml.indexOf("nflog") < yaml.indexOf("exclude-networks") && yaml.indexOf("exclude-networks") < yaml.indexOf("type: raw"));

        Path file = dir.resolve("from-flags.yaml");
        Files.writeString(file, yaml);
        CliRunner.Result v = CliRunner.run("validate", "--config", file.toString());
        assertEquals(Main.OK, v.status(), "the printed YAML is a valid configuration: " + v);
    }

    @Test
    void refusesToStartWithoutIgnoreNetworksAsGoPmtudDid() {
        CliRunner.Result r = CliRunner.run("--peers", "192.0.2.2", "--nodename", "n");
        assertEquals(Main.BAD_CONFIG, r.status(), r.toString());
        assertTrue(r.err().contains("--ignore-networks is required"), r.toString());
    }

    @Test
    void badPeerIsNamed() {
        CliRunner.Result r = CliRunner.run("config-from-flags", "--peers", "192.0.2.2,node-b", "--ignore-networks", "192.0.2.0/24");
        assertEquals(Main.BAD_CONFIG, r.status(), r.toString());
        assertTrue(r.err().contains("--peers: 'node-b' is not an IP address"), r.toString());
    }

    @Test
    void goPmtudMetricNamesFollowPmtudsCounters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GoPmtudMetrics.bind(registry, "node-1");
        Counter received = Counter.builder("pmtud_received_total").tags("node", "node-1", "pipeline", "main", "source", "nflog-33").register(registry);
        Counter toB = Counter.builder("pmtud_peer_sent_total").tags("node", "node-1", "pipeline", "main", "sink", "raw", "peer", "192.0.2.2").register(registry);
        Counter toC = Counter.builder("pmtud_peer_sent_total").tags("node", "node-1", "pipeline", "main", "sink", "raw", "peer", "192.0.2.3").register(registry);
        Counter errC = Counter.builder("pmtud_peer_send_errors_total")
                .tags("node", "node-1", "pipeline", "main", "sink", "raw", "peer", "192.0.2.3", "errno", "EHOSTUNREACH").register(registry);
        received.increment(3);
        toB.increment(3);
        toC.increment(2);
        errC.increment(1);

        String text = registry.scrape();
        assertSeries(text, "go_pmtud_recv_packets_total\\{node=\"node-1\"}", 3);
        assertSeries(text, "go_pmtud_sent_packets_total\\{node=\"node-1\"}", 5);
        assertSeries(text, "go_pmtud_sent_packets_peer\\{node=\"node-1\",peer=\"192.0.2.2\"}", 3);
        assertSeries(text, "go_pmtud_sent_packets_peer\\{node=\"node-1\",peer=\"192.0.2.3\"}", 2);
        assertSeries(text, "go_pmtud_sent_error_peer_total\\{node=\"node-1\",peer=\"192.0.2.3\"}", 1);
        assertSeries(text, "go_pmtud_error_total\\{node=\"node-1\"}", 1);
        assertTrue(text.contains("go_pmtud_callback_duration_seconds_bucket{node=\"node-1\""), text);
    }

    private static void assertSeries(String text, String series, double value) {
        assertTrue(Pattern.compile("(?m)^" + series + " " + Pattern.quote(String.valueOf(value)) + "$").matcher(text).find(),
                series + " = " + value + " in:\n" + text);
    }
}
