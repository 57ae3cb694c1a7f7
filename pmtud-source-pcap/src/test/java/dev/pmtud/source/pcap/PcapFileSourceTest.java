package dev.pmtud.source.pcap;

import static org.junit.jupiter.api.Assertions.*;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.PcapFile;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.SourceThread;
import dev.pmtud.testkit.TestContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapFileSourceTest {
    private static final long T0 = 1_764_000_000_123_456_789L; // 2025-11, with nanoseconds

    @TempDir
    Path tmp;

    /** What the handler saw: a copy of each packet and whether it was the same Packet instance. */
    private static final class Seen {
        final List<Packet> packets = new ArrayList<>();
        final List<Long> wallNanos = new ArrayList<>();
        final List<Packet> instances = new ArrayList<>();
    }

    private static Seen runToEnd(Source source) throws IOException {
        Seen seen = new Seen();
        source.open();
        try {
            source.run(p -> {
                seen.wallNanos.add(System.nanoTime());
                seen.instances.add(p);
                seen.packets.add(p.copy());
            });
        } finally {
            source.close();
        }
        return seen;
    }

    private static Source create(String... kv) {
        return new PcapFileSourceFactory().create(Cfg.component("sources", "pcap-file", (Object[]) kv), new TestContext("test"));
    }

    private static List<byte[]> l3Messages() {
        return List.of(
                Ptb.v4().mtu(1400).build(),
                Ptb.v6().mtu(1280).udp("2001:db8:1::10", 53, "2001:db8:2::7", 40000).build(),
                Ptb.v4().mtu(576).from("198.51.100.1").tcp("192.0.2.11", 80, "203.0.113.50", 33000).build(),
                Ptb.v6().mtu(70000).build());
    }

    /** Each link type pmtud reads, with how its frames are built from an L3 packet. */
    private record Link(int pcapType, LinkType type, java.util.function.Function<byte[], byte[]> frame) {
    }

    private static List<Link> links() {
        return List.of(
                new Link(1, LinkType.ETHERNET, l3 -> Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", l3)),
                new Link(101, LinkType.RAW, l3 -> l3),
                new Link(12, LinkType.RAW, l3 -> l3),
                new Link(14, LinkType.RAW, l3 -> l3),
                new Link(113, LinkType.LINUX_SLL, l3 -> Frames.sll(0, "02:00:00:00:00:02", l3)),
                new Link(276, LinkType.LINUX_SLL2, l3 -> Frames.sll2(3, 0, "02:00:00:00:00:02", l3)));
    }

    @Test
    void readsEveryLinkTypeWithExactNanosecondTimes() throws Exception {
        for (Link link : links()) {
            List<byte[]> l3 = l3Messages();
            List<PcapFile.Record> records = new ArrayList<>();
            for (int i = 0; i < l3.size(); i++) {
                records.add(new PcapFile.Record(T0 + i * 1_000_000_001L + i, link.frame().apply(l3.get(i))));
            }
            Path file = tmp.resolve("link-" + link.pcapType() + ".pcap");
            PcapFile.write(file, link.pcapType(), records);

            Seen seen = runToEnd(create("path", file.toString()));

            assertEquals(records.size(), seen.packets.size(), "link type " + link.pcapType());
            for (int i = 0; i < records.size(); i++) {
                Packet p = seen.packets.get(i);
                String what = "link type " + link.pcapType() + " record " + i;
                assertEquals(link.type(), p.linkType(), what);
                assertEquals(records.get(i).timestampNanos(), p.timestampNanos(), what);
                assertArrayEquals(records.get(i).data(), Arrays.copyOfRange(p.buffer(), p.offset(), p.offset() + p.length()), what);
                assertTrue(p.isValid(), what + ": " + p.invalidReason());
                assertArrayEquals(l3.get(i), p.l3Bytes(), what);
            }
            assertEquals(1400, seen.packets.get(0).nextHopMtu());
            assertEquals(70000, seen.packets.get(3).nextHopMtu());
            assertTrue(seen.instances.stream().allMatch(x -> x == seen.instances.get(0)), "one Packet, reused");
        }
    }

    @Test
    void readsIpv4AndIpv6OnlyLinkTypes() throws Exception {
        byte[] v4 = Ptb.v4().build();
        byte[] v6 = Ptb.v6().build();
        Path f4 = tmp.resolve("ipv4.pcap");
        Path f6 = tmp.resolve("ipv6.pcap");
        PcapFile.write(f4, 228, List.of(new PcapFile.Record(T0, v4)));
        PcapFile.write(f6, 229, List.of(new PcapFile.Record(T0 + 5, v6)));
        Packet p4 = runToEnd(create("path", f4.toString())).packets.get(0);
        Packet p6 = runToEnd(create("path", f6.toString())).packets.get(0);
        assertEquals(LinkType.IPV4, p4.linkType());
        assertEquals(LinkType.IPV6, p6.linkType());
        assertArrayEquals(v4, p4.l3Bytes());
        assertArrayEquals(v6, p6.l3Bytes());
        assertEquals(T0 + 5, p6.timestampNanos());
    }

    /** A microsecond pcap file, written here independently of the testkit's nanosecond writer. */
    private static void writeMicros(Path file, int linkType, ByteOrder order, long[] micros, List<byte[]> frames)
            throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer h = ByteBuffer.allocate(24).order(order);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
            out.write(h.array());
            for (int i = 0; i < frames.size(); i++) {
                ByteBuffer r = ByteBuffer.allocate(16).order(order);
                r.putInt((int) (micros[i] / 1_000_000)).putInt((int) (micros[i] % 1_000_000))
                        .putInt(frames.get(i).length).putInt(frames.get(i).length);
                out.write(r.array());
                out.write(frames.get(i));
            }
        }
    }

    @Test
    void readsMicrosecondFilesOfBothByteOrders() throws Exception {
        long[] micros = {1_764_000_000_000_001L, 1_764_000_000_999_999L, 1_764_000_001_500_000L};
        List<byte[]> frames = List.of(
                Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", Ptb.v4().mtu(1300).build()),
                Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", Ptb.v6().mtu(1300).build(), Frames.dot1q(42)),
                Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", Ptb.v4().mtu(1200).build(), Frames.dot1ad(1), Frames.dot1q(2)));
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            Path file = tmp.resolve("micros-" + order + ".pcap");
            writeMicros(file, 1, order, micros, frames);
            // the independent reader agrees on what was written
            assertEquals(micros[1] * 1000, PcapFile.read(file).records().get(1).timestampNanos());

            Seen seen = runToEnd(create("path", file.toString()));
            assertEquals(frames.size(), seen.packets.size());
            for (int i = 0; i < frames.size(); i++) {
                Packet p = seen.packets.get(i);
                assertEquals(micros[i] * 1000, p.timestampNanos(), order + " record " + i);
                assertArrayEquals(frames.get(i), Arrays.copyOfRange(p.buffer(), p.offset(), p.offset() + p.length()));
                assertTrue(p.isValid(), p.invalidReason());
            }
            assertEquals(1, seen.packets.get(1).vlanTags());
            assertEquals(42, seen.packets.get(1).vlanId());
            assertEquals(2, seen.packets.get(2).vlanTags());
        }
    }

    @Test
    void invalidRecordsAreHandedOnForTheRuntimeToCount() throws Exception {
        byte[] echo = Ptb.v4().type(8, 0).build();
        Path file = tmp.resolve("mixed.pcap");
        PcapFile.write(file, 101, List.of(new PcapFile.Record(T0, echo), new PcapFile.Record(T0 + 1, Ptb.v4().build())));
        Seen seen = runToEnd(create("path", file.toString()));
        assertEquals(2, seen.packets.size());
        assertEquals("not-frag-needed", seen.packets.get(0).invalidReason());
        assertTrue(seen.packets.get(1).isValid());
    }

    @Test
    void emptyFileEndsAtOnce() throws Exception {
        Path file = tmp.resolve("empty.pcap");
        PcapFile.write(file, 1, List.of());
        assertEquals(0, runToEnd(create("path", file.toString())).packets.size());
    }

    private static IOException openFails(Source s) {
        IOException e = assertThrows(IOException.class, s::open);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        s.close();
        return e;
    }

    @Test
    void missingFileIsAOneLineErrorAtOpen() {
        Path missing = tmp.resolve("nope.pcap");
        IOException e = openFails(create("path", missing.toString()));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void unreadableOrNonPcapFilesAreOneLineErrors() throws Exception {
        IOException dir = openFails(create("path", tmp.toString()));
        assertTrue(dir.getMessage().contains("cannot read " + tmp), dir.getMessage());

        Path junk = Files.writeString(tmp.resolve("junk.pcap"), "this is not a capture at all, just text\n");
        IOException e = openFails(create("path", junk.toString()));
        assertTrue(e.getMessage().contains(junk.toString()) && e.getMessage().contains("as a pcap file"), e.getMessage());

        Path truncated = tmp.resolve("short.pcap");
        Files.write(truncated, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0});
        assertTrue(openFails(create("path", truncated.toString())).getMessage().contains(truncated.toString()));
    }

    @Test
    void aCaptureCutMidRecordDeliversTheCompleteRecordsThenSaysWhy() throws Exception {
        Path file = tmp.resolve("cut.pcap");
        byte[] a = Ptb.v4().mtu(1400).build();
        byte[] b = Ptb.v6().mtu(1280).build();
        PcapFile.write(file, 101, List.of(new PcapFile.Record(T0, a), new PcapFile.Record(T0 + 1, b)));
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 10)); // as a killed tcpdump leaves it
        Source s = create("path", file.toString());
        s.open();
        List<Packet> got = new ArrayList<>();
        IOException e = assertThrows(IOException.class, () -> s.run(p -> got.add(p.copy())));
        s.close();
        assertEquals(1, got.size());
        assertArrayEquals(a, got.get(0).l3Bytes());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void unsupportedLinkTypeNamesTheFileAndTheType() throws Exception {
        Path wifi = tmp.resolve("wifi.pcap");
        PcapFile.write(wifi, 105, List.of(new PcapFile.Record(T0, new byte[40])));
        IOException e = openFails(create("path", wifi.toString()));
        assertTrue(e.getMessage().contains(wifi.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("link type 105"), e.getMessage());
    }

    @Test
    void realtimeHonoursTheCapturesGaps() throws Exception {
        long[] offsetsMillis = {0, 300, 300, 700};
        List<PcapFile.Record> records = new ArrayList<>();
        for (int i = 0; i < offsetsMillis.length; i++) {
            records.add(new PcapFile.Record(T0 + offsetsMillis[i] * 1_000_000L, Ptb.v4().mtu(1000 + i).build()));
        }
        Path file = tmp.resolve("paced.pcap");
        PcapFile.write(file, 101, records);

        Seen seen = runToEnd(create("path", file.toString(), "speed", "realtime"));

        assertEquals(records.size(), seen.packets.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(1000 + i, seen.packets.get(i).nextHopMtu(), "in order");
            assertEquals(records.get(i).timestampNanos(), seen.packets.get(i).timestampNanos(), "capture time, not wall time");
        }
        long first = seen.wallNanos.get(0);
        for (int i = 1; i < records.size(); i++) {
            long elapsedMillis = (seen.wallNanos.get(i) - first) / 1_000_000L;
            // at least the capture's gap (minus scheduling slack); generous upper bound
            assertTrue(elapsedMillis >= offsetsMillis[i] - 20, "record " + i + " after " + elapsedMillis + " ms");
            assertTrue(elapsedMillis < offsetsMillis[i] + 5_000, "record " + i + " after " + elapsedMillis + " ms");
        }
    }

    @Test
    void maxSpeedIgnoresGapsAndWakeupStopsARealtimeWait() throws Exception {
        Path file = tmp.resolve("hour.pcap");
        PcapFile.write(file, 101, List.of(new PcapFile.Record(T0, Ptb.v4().build()),
                new PcapFile.Record(T0 + 3_600_000_000_000L, Ptb.v6().build())));

        long start = System.nanoTime();
        Seen fast = runToEnd(create("path", file.toString())); // speed: max is the default
        assertEquals(2, fast.packets.size());
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "an hour-long capture replays without waiting");

        Source paced = create("path", file.toString(), "speed", "realtime");
        paced.open();
        CountDownLatch firstSeen = new CountDownLatch(1);
        List<Long> timestamps = new ArrayList<>();
        SourceThread runner = SourceThread.start(paced, p -> {
            timestamps.add(p.timestampNanos());
            firstSeen.countDown();
        });
        assertTrue(firstSeen.await(10, TimeUnit.SECONDS));
        Duration took = runner.stop(Duration.ofSeconds(5)); // wakes the paced wait; fails if run() threw
        assertTrue(took.toMillis() < 1_000, "run() returned " + took.toMillis() + " ms after wakeup()");
        assertEquals(List.of(T0), timestamps, "the record an hour later was never handed on");
    }

    @Test
    void aWakeupBeforeRunBeginsHandsNothingOn() throws Exception {
        Path file = tmp.resolve("two.pcap");
        PcapFile.write(file, 101, List.of(new PcapFile.Record(T0, Ptb.v4().build()), new PcapFile.Record(T0 + 1, Ptb.v6().build())));
        Source s = create("path", file.toString());
        s.open();
        s.wakeup();
        List<Packet> got = new ArrayList<>();
        try (SourceThread t = SourceThread.start(s, p -> got.add(p.copy()))) {
            assertTrue(t.awaitEnd(Duration.ofSeconds(5)));
        }
        assertEquals(List.of(), got);
    }

    @Test
    void factoryReadsItsKeysButTouchesNothing() {
        PcapFileSourceFactory f = new PcapFileSourceFactory();
        assertEquals("pcap-file", f.type());
        assertEquals(java.util.Set.of("path", "speed"), f.keys());
        Source s = f.create(Cfg.component("sources", "pcap-file", "path", "/nonexistent/dir/x.pcap"), new TestContext("test"));
        assertEquals(Path.of("/nonexistent/dir/x.pcap"), ((PcapFileSource) s).path());
        s.close();

        ConfigException speed = assertThrows(ConfigException.class, () -> create("path", "x.pcap", "speed", "fast"));
        assertTrue(speed.getMessage().startsWith(Cfg.FILE + ":3: ") && speed.getMessage().contains("'speed'")
                && speed.getMessage().contains("max, realtime"), speed.getMessage());
        ConfigException path = assertThrows(ConfigException.class, () -> create());
        assertTrue(path.getMessage().startsWith(Cfg.FILE + ":1: ") && path.getMessage().contains("'path'"), path.getMessage());
    }

    @Test
    void bothSourcesAreRegisteredForServiceLoader() {
        List<String> types = new ArrayList<>();
        for (SourceFactory f : ServiceLoader.load(SourceFactory.class)) {
            types.add(f.type());
        }
        assertTrue(types.containsAll(List.of("pcap-file", "pcap")), types.toString());
    }
}
