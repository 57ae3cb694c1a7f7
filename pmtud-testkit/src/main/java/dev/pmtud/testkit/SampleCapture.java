package dev.pmtud.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bundled sample capture ({@code examples/capture.pcap}) that {@code make run} replays through
 * {@code examples/pmtud.yaml}: one of each thing the default pipeline decides, on Ethernet, with
 * deterministic timestamps. Each record declares what the default pipeline should do with it, so
 * tests derive their expectations from here rather than from the output under test.
 *
 * <p>Regenerate with {@code java -cp ... dev.pmtud.testkit.SampleCapture examples/capture.pcap}.
 *
 * <p>The pipeline it is written for: exclude-networks [192.0.2.0/24, 2001:db8:1::/64] (the
 * cluster's own addresses, so replicas from peers are not replicated again), mtu-range 68..9216,
 * dedup window 1s, rate-limit per-source 1/s burst 2.
 */
public final class SampleCapture {
    /** 2026-01-01T00:00:00Z: fixed, so the file is the same every time it is generated. */
    public static final long START_NANOS = 1_767_225_600L * 1_000_000_000L;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final String NODE_MAC = "02:00:00:00:00:0a";
    public static final String ROUTER_MAC = "02:00:00:00:00:01";

    /** What the default pipeline does with a record: "forwarded", "invalid", or the dropping filter's type. */
    public record Entry(long timestampNanos, byte[] l3, byte[] frame, String expected, String note) {
    }

    private SampleCapture() {
    }

    public static List<Entry> entries() {
        List<Entry> e = new ArrayList<>();
        Ptb flow = Ptb.v4().from("203.0.113.1").to("192.0.2.10").mtu(1400).tcp("192.0.2.10", 443, "198.51.100.7", 51000);
        add(e, 0, flow.sequence(1).build(), "forwarded", "IPv4 frag-needed from a router");
        add(e, 10, flow.sequence(2).build(), "dedup", "same flow, next TCP segment: a duplicate");
        add(e, 20, flow.sequence(3).build(), "dedup", "same flow again");
        add(e, 100, Ptb.v6().from("2001:db8:ff::1").to("2001:db8:1::10").mtu(1280)
                .tcp("2001:db8:1::10", 443, "2001:db8:2::7", 51000).build(), "forwarded", "ICMPv6 packet-too-big");
        add(e, 200, Ptb.v4().from("192.0.2.3").to("192.0.2.10").mtu(1400)
                .tcp("192.0.2.10", 443, "198.51.100.9", 52000).build(), "exclude-networks", "a replica from a peer in the cluster network");
        add(e, 300, Ptb.v4().from("203.0.113.2").to("192.0.2.10").mtu(60)
                .tcp("192.0.2.10", 443, "198.51.100.10", 53000).build(), "mtu-range", "next-hop MTU 60, below 68");
        add(e, 400, Ptb.v4().type(3, 3).from("203.0.113.2").build(), "invalid", "ICMP port unreachable, not frag-needed");
        add(e, 500, Ptb.v4().from("203.0.113.2").embeddedBytes(12).build(), "invalid", "embedded packet truncated");
        for (int i = 0; i < 5; i++) {
            add(e, 1000 + 10 * i, Ptb.v4().from("203.0.113.9").to("192.0.2.10").mtu(1400)
                            .tcp("192.0.2.10", 443, "198.51.100.20", 51001 + i).build(),
                    i < 2 ? "forwarded" : "rate-limit", "burst from one router, flow " + (i + 1) + " of 5");
        }
        byte[] vlan = Ptb.v4().from("203.0.113.4").to("192.0.2.11").mtu(1450).udp("192.0.2.11", 53, "198.51.100.8", 40000).build();
        e.add(new Entry(START_NANOS + 1_500_000_000L, vlan, Frames.ethernet(NODE_MAC, ROUTER_MAC, vlan, Frames.dot1q(100)),
                "forwarded", "802.1Q VLAN 100, UDP"));
        add(e, 2000, Ptb.v6().type(1, 4).from("2001:db8:ff::2").build(), "invalid", "ICMPv6 port unreachable, not packet-too-big");
        add(e, 2500, flow.sequence(4).build(), "forwarded", "the first flow again, after the dedup window");
        return e;
    }

    private static void add(List<Entry> e, long millis, byte[] l3, String expected, String note) {
        e.add(new Entry(START_NANOS + millis * 1_000_000L, l3, Frames.ethernet(NODE_MAC, ROUTER_MAC, l3), expected, note));
    }

    public static void write(Path file) throws IOException {
        List<PcapFile.Record> records = new ArrayList<>();
        for (Entry entry : entries()) {
            records.add(new PcapFile.Record(entry.timestampNanos(), entry.frame()));
        }
        PcapFile.write(file, LINKTYPE_ETHERNET, records);
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "examples/capture.pcap");
        write(out);
        System.out.println("wrote " + entries().size() + " records to " + out);
    }
}
