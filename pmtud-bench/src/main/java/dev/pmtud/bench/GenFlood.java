package dev.pmtud.bench;

import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.PcapFile;
import dev.pmtud.testkit.Ptb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes the forged-flood harness's input (scripts/bench-flood.sh, issue 12 item 3): a flood of
 * COUNT IPv4 "fragmentation needed" messages from SOURCES random forged sources in 10.0.0.0/8
 * (a private range that exists only inside the harness's namespaces), each about another flow,
 * and a genuine router's messages, from {@value #ROUTER}: {@value #BEFORE} sent before the flood
 * (quoting a flow to {@value #BEFORE_CLIENT}) and {@value #DURING} during it (to
 * {@value #DURING_CLIENT}), so that a peer can count the router's copies by the quoted destination.
 * <pre>
 *   java -cp benchmarks.jar dev.pmtud.bench.GenFlood OUT_DIR COUNT SOURCES DST_MAC SRC_MAC SERVICE_ADDR
 * </pre>
 * writes {@code OUT_DIR/flood.pcap}, {@code OUT_DIR/router-before.pcap} and {@code OUT_DIR/router-during.pcap}
 * (Ethernet frames to DST_MAC).
 */
public final class GenFlood {
    static final String ROUTER = "203.0.113.1";
    static final String BEFORE_CLIENT = "203.0.113.251";
    static final String DURING_CLIENT = "203.0.113.250";
    static final int BEFORE = 3;
    static final int DURING = 10;

    private GenFlood() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: GenFlood OUT_DIR COUNT SOURCES DST_MAC SRC_MAC SERVICE_ADDR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int sources = Integer.parseInt(args[2]);
        if (count < 1 || count > 10_000_000 || sources < 1 || sources > 1 << 24) {
            throw new IllegalArgumentException("COUNT must be 1..10000000 and SOURCES 1..16777216");
        }
        String dst = args[3];
        String src = args[4];
        String service = args[5];
        Random random = new Random(12);
        String[] forged = new String[sources];
        for (int i = 0; i < sources; i++) {
            int s = random.nextInt(1 << 24);
            forged[i] = "10." + (s >>> 16) + "." + (s >>> 8 & 0xff) + "." + (s & 0xff);
        }
        long t = 1_700_000_000_000_000_000L;
        List<PcapFile.Record> flood = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            // quoted flow: SERVICE:443 -> 203.0.113.(1 + i % 249):port, never a router client's
            String client = "203.0.113." + (1 + i % 249);
            byte[] l3 = Ptb.v4().from(forged[i % sources]).to(service).mtu(1400).tcp(service, 443, client, 1024 + i / 249 % 64000).build();
            flood.add(new PcapFile.Record(t + i * 20_000L, Frames.ethernet(dst, src, l3)));
        }
        PcapFile.write(dir.resolve("flood.pcap"), 1, flood);
        List<PcapFile.Record> before = new ArrayList<>();
        List<PcapFile.Record> during = new ArrayList<>();
        for (int i = 0; i < BEFORE + DURING; i++) {
            String client = i < BEFORE ? BEFORE_CLIENT : DURING_CLIENT;
            byte[] l3 = Ptb.v4().from(ROUTER).to(service).mtu(1300).tcp(service, 443, client, 40000 + i).build();
            (i < BEFORE ? before : during).add(new PcapFile.Record(t + i * 1_000_000_000L, Frames.ethernet(dst, src, l3)));
        }
        PcapFile.write(dir.resolve("router-before.pcap"), 1, before);
        PcapFile.write(dir.resolve("router-during.pcap"), 1, during);
        System.out.println("wrote " + count + " flood messages from " + sources + " sources and " + (BEFORE + DURING)
                + " router messages to " + dir);
    }
}
