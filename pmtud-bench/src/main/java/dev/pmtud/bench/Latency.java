package dev.pmtud.bench;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.testkit.PcapFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Relay latency from two captures taken on one kernel clock (tcpdump
 * {@code --time-stamp-precision=nano} in two namespaces of one host): for each message seen on the
 * receiving node's interface, the time until its copy arrived at the peer. Messages are paired by
 * their embedded flow (inner destination address and port, unique per message in GenPcap's pcaps),
 * which every replication mode carries unchanged.
 * <pre>
 *   java -cp benchmarks.jar dev.pmtud.bench.Latency NODE.pcap PEER.pcap
 * </pre>
 * Prints one line: {@code pairs=N unmatched=M p50_us=.. p90_us=.. p99_us=.. max_us=..}.
 */
public final class Latency {
    private Latency() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Latency NODE.pcap PEER.pcap");
            System.exit(2);
        }
        Map<Long, Long> arrived = new HashMap<>();
        PcapFile.Capture node = PcapFile.read(Path.of(args[0]));
        Packet p = new Packet();
        for (PcapFile.Record r : node.records()) {
            Long key = key(p, node.linkType(), r);
            if (key != null) {
                arrived.putIfAbsent(key, r.timestampNanos());
            }
        }
        PcapFile.Capture peer = PcapFile.read(Path.of(args[1]));
        long[] d = new long[peer.records().size()];
        int n = 0;
        int unmatched = 0;
        for (PcapFile.Record r : peer.records()) {
            Long key = key(p, peer.linkType(), r);
            Long t0 = key == null ? null : arrived.remove(key);
            if (t0 == null) {
                unmatched++;
                continue;
            }
            d[n++] = r.timestampNanos() - t0;
        }
        d = Arrays.copyOf(d, n);
        Arrays.sort(d);
        if (n == 0) {
            System.out.println("pairs=0 unmatched=" + unmatched + " node_messages=" + node.records().size());
            return;
        }
        System.out.printf("pairs=%d unmatched=%d not_relayed=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f min_us=%.1f%n",
                n, unmatched, arrived.size(), us(pct(d, 50)), us(pct(d, 90)), us(pct(d, 99)), us(d[n - 1]), us(d[0]));
    }

    private static Long key(Packet p, int pcapLinkType, PcapFile.Record r) {
        LinkType lt = LinkType.fromPcap(pcapLinkType);
        p.wrap(r.data(), 0, r.data().length, lt, r.timestampNanos());
        if (!p.decode()) {
            return null;
        }
        byte[] b = p.buffer();
        int a = p.innerDestinationOffset();
        long addr = (b[a] & 0xffL) << 24 | (b[a + 1] & 0xffL) << 16 | (b[a + 2] & 0xffL) << 8 | (b[a + 3] & 0xffL);
        return addr << 16 | p.innerDestinationPort();
    }

    private static long pct(long[] sorted, int percent) {
        int i = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double us(long nanos) {
        return nanos / 1000.0;
    }
}
