package dev.pmtud.bench;

import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.PcapFile;
import dev.pmtud.testkit.Ptb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the load harness's input: N distinct IPv4 "fragmentation needed" messages as Ethernet
 * frames addressed to the receiving node's MAC, every one for a different embedded flow so that
 * the latency tool can pair a message seen on the node with its copy seen at a peer.
 * <pre>
 *   java -cp benchmarks.jar dev.pmtud.bench.GenPcap OUT.pcap COUNT DST_MAC SRC_MAC SERVICE_ADDR
 * </pre>
 * Message i comes from router 203.0.113.(1 + i % 250) about the flow SERVICE_ADDR:443 ->
 * 203.0.113.(1 + i % 250):(1024 + i / 250); only documentation addresses.
 */
public final class GenPcap {
    private GenPcap() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: GenPcap OUT.pcap COUNT DST_MAC SRC_MAC SERVICE_ADDR");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        if (count < 1 || count > 250 * 64000) {
            throw new IllegalArgumentException("COUNT must be 1.." + 250 * 64000);
        }
        String dst = args[2];
        String src = args[3];
        String service = args[4];
        List<PcapFile.Record> records = new ArrayList<>(count);
        long t = 1_700_000_000_000_000_000L;
        for (int i = 0; i < count; i++) {
            String host = "203.0.113." + (1 + i % 250);
            int port = 1024 + i / 250;
            byte[] l3 = Ptb.v4().from(host).to(service).mtu(1400).tcp(service, 443, host, port).build();
            records.add(new PcapFile.Record(t + i * 10_000L, Frames.ethernet(dst, src, l3)));
        }
        PcapFile.write(out, 1, records);
        System.out.println("wrote " + count + " messages to " + out);
    }
}
