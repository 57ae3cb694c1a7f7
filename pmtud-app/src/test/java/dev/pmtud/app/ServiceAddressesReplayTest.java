package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.PcapFile;
import dev.pmtud.testkit.Ptb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service-addresses filter as an operator configures it (registered, its keys read from YAML,
 * the cluster's networks counted as node addresses), through {@code pmtud replay}: messages about
 * flows from a VIP, the Service CIDR or a node pass; a forged one about a flow no node has is dropped.
 */
class ServiceAddressesReplayTest {
    private static final int LINKTYPE_RAW = 101;

    @TempDir
    Path dir;

    @Test
    void keepsOnlyMessagesAboutTheClustersOwnFlows() throws Exception {
        List<byte[]> kept = List.of(
                Ptb.v4().from("203.0.113.1").tcp("192.0.2.10", 443, "203.0.113.77", 40000).build(), // the VIP
                Ptb.v4().from("203.0.113.1").tcp("10.96.4.5", 80, "203.0.113.77", 40001).build(), // a Service IP
                Ptb.v4().from("203.0.113.1").tcp("198.51.100.3", 22, "203.0.113.77", 40002).build(), // a node (cluster.networks)
                Ptb.v6().from("2001:db8:ff::1").tcp("2001:db8:5::10", 443, "2001:db8:eeee::7", 40003).build());
        List<byte[]> forged = List.of(
                Ptb.v4().from("10.1.2.3").tcp("192.0.2.11", 443, "203.0.113.77", 40004).build(),
                Ptb.v6().from("2001:db8:ff::1").tcp("2001:db8:6::10", 443, "2001:db8:eeee::7", 40005).build());
        List<PcapFile.Record> records = new ArrayList<>();
        long t = 1_000_000_000L;
        for (byte[] m : kept) {
            records.add(new PcapFile.Record(t += 1_000_000, m));
        }
        for (byte[] m : forged) {
            records.add(new PcapFile.Record(t += 1_000_000, m));
        }
        Path capture = dir.resolve("in.pcap");
        PcapFile.write(capture, LINKTYPE_RAW, records);
        Path config = dir.resolve("pmtud.yaml");
        Files.writeString(config, """
                metrics: { enabled: false }
                cluster: { networks: [198.51.100.0/24] }
                sources: [ { type: pcap-file, path: x.pcap } ]
                filters:
                  - { type: service-addresses, addresses: [192.0.2.10/32, 10.96.0.0/12, "2001:db8:5::/64"] }
                sinks: [ { type: log } ]
                """);

        CliRunner.Result r = CliRunner.run("replay", "--config", config.toString(), "--input", capture.toString());

        assertEquals(Main.OK, r.status(), r.toString());
        assertTrue(r.out().contains("summary: received " + records.size() + ", invalid 0, dropped " + forged.size()
                + " (service-addresses " + forged.size() + "), forwarded " + kept.size()), r.toString());
        assertEquals(forged.size(), r.out().lines().filter(l -> l.contains("foreign-embedded-source")).count(), r.toString());
    }
}
