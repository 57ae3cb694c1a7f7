package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.LinkType;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.PcapFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster.networks}, written once, reaches what guards against loops: the raw sink's l3
 * check at start (here) and the managed rule ({@code RuleManagerConfigTest}).
 */
class ClusterNetworksTest {
    @TempDir
    Path dir;

    /** Run in a namespace of its own: the raw sink opens its sockets there; the capture is empty, so nothing is sent. */
    @Test
    void theL3LoopCheckCoversPeersWithTheClusterNetworks() throws Exception {
        Netns.assumeRoot();
        Path capture = dir.resolve("empty.pcap");
        PcapFile.write(capture, LinkType.RAW.pcapLinkType(), List.of());
        String pipeline = """
                metrics: { enabled: false }
                peers: [ { type: static, addresses: [192.0.2.2, "2001:db8:1::2"] } ]
                sources: [ { type: pcap-file, path: "%s" } ]
                filters: [ { type: exclude-networks } ]
                sinks: [ { type: raw, mode: l3 } ]
                """.formatted(capture);
        Path without = Files.writeString(dir.resolve("without.yaml"), pipeline.replace("filters: [ { type: exclude-networks } ]\n", ""));
        Path with = Files.writeString(dir.resolve("with.yaml"), "cluster: { networks: [192.0.2.0/24, \"2001:db8:1::/64\"] }\n" + pipeline);
        try (Netns ns = Netns.create("cluster")) {
            CliRunner.Result refused = ns.call(() -> CliRunner.run("run", "--config", without.toString()));
            assertEquals(Main.BAD_CONFIG, refused.status(), refused.toString());
            assertTrue(refused.err().contains("is l3, which re-sends from this node's own address, but no source network is excluded at all")
                    && refused.err().contains("cluster.networks"), refused.toString());

            CliRunner.Result ran = ns.call(() -> CliRunner.run("run", "--config", with.toString()));
            assertEquals(Main.OK, ran.status(), "every peer is inside cluster.networks: " + ran);
            assertTrue(ran.err().contains("every source has ended; stopping"), ran.toString());
        }
    }
}
