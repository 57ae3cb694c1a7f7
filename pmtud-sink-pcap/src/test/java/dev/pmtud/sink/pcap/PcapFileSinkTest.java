package dev.pmtud.sink.pcap;

import static org.junit.jupiter.api.Assertions.*;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import dev.pmtud.source.pcap.PcapFileSource;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Cmd;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.PcapFile;
import dev.pmtud.testkit.Ptb;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapFileSinkTest {
    private static final long T0 = 1_764_000_000_123_456_789L;

    @TempDir
    Path tmp;

    /** An input: the frame as captured, its link type, and the L3 bytes the sink must write. */
    private record Input(byte[] frame, LinkType type, byte[] l3, long ts) {
    }

    private static List<Input> inputs() {
        byte[] v4 = Ptb.v4().mtu(1400).build();
        byte[] v6 = Ptb.v6().mtu(1280).build();
        byte[] v4b = Ptb.v4().mtu(576).from("198.51.100.1").udp("192.0.2.10", 53, "203.0.113.9", 40000).build();
        byte[] v6big = Ptb.v6().mtu(70000).build();
        byte[] v4small = Ptb.v4().mtu(1200).build();
        byte[] padded = Arrays.copyOf(Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", v4small), 14 + v4small.length + 6);
        return List.of(
                new Input(v4, LinkType.RAW, v4, T0),
                new Input(Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", v6), LinkType.ETHERNET, v6, T0 + 1),
                new Input(Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", v4b, Frames.dot1ad(7), Frames.dot1q(8)),
                        LinkType.ETHERNET, v4b, T0 + 999_999_999L),
                new Input(Frames.sll2(4, 0, "02:00:00:00:00:02", v6big), LinkType.LINUX_SLL2, v6big, T0 + 2_000_000_000L),
                new Input(padded, LinkType.ETHERNET, v4small, T0 + 3_000_000_001L));
    }

    private static Packet packet(Input in) {
        // inside a larger buffer, at an offset: the sink must write exactly the L3 range
        byte[] buf = new byte[in.frame().length + 11];
        Arrays.fill(buf, (byte) 0x77);
        System.arraycopy(in.frame(), 0, buf, 5, in.frame().length);
        Packet p = new Packet().wrap(buf, 5, in.frame().length, in.type(), in.ts());
        assertTrue(p.decode(), p.invalidReason());
        return p;
    }

    private static Sink create(String... kv) {
        return new PcapFileSinkFactory().create(Cfg.component("sinks", "pcap-file", (Object[]) kv), null);
    }

    private static void write(Sink sink, List<Input> inputs) throws IOException {
        sink.open();
        for (Input in : inputs) {
            sink.send(packet(in));
        }
        sink.flush();
        sink.close();
    }

    @Test
    void writesL3BytesAsReceivedWithNanosecondTimes() throws Exception {
        Path out = tmp.resolve("out.pcap");
        List<Input> inputs = inputs();
        write(create("path", out.toString()), inputs);

        PcapFile.Capture c = PcapFile.read(out);
        assertEquals(101, c.linkType());
        assertTrue(c.nanosecond());
        assertEquals(inputs.size(), c.records().size());
        for (int i = 0; i < inputs.size(); i++) {
            assertArrayEquals(inputs.get(i).l3(), c.records().get(i).data(), "record " + i);
            assertEquals(inputs.get(i).ts(), c.records().get(i).timestampNanos(), "record " + i);
            assertEquals(inputs.get(i).l3().length, c.records().get(i).originalLength());
        }
    }

    @Test
    void tcpdumpReadsEveryPacketWithItsTime() throws Exception {
        Path out = tmp.resolve("dump.pcap");
        List<Input> inputs = inputs();
        write(create("path", out.toString()), inputs);

        Cmd.Result r = Cmd.exec(List.of("tcpdump", "-nr", out.toString()));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("RAW") || r.stderr().contains("Raw IP"), r.stderr());
        List<String> lines = r.stdout().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(inputs.size(), lines.size(), r.stdout());
        assertTrue(lines.get(0).contains("203.0.113.1 > 192.0.2.10") && lines.get(0).contains("need to frag (mtu 1400)"), lines.get(0));
        assertTrue(lines.get(1).contains("packet too big") && lines.get(1).contains("1280"), lines.get(1));
        assertTrue(lines.get(3).contains("70000"), lines.get(3));

        Cmd.Result nanos = Cmd.exec(List.of("tcpdump", "--time-stamp-precision=nano", "-tt", "-nr", out.toString()));
        assertEquals(0, nanos.exitCode(), nanos.stderr());
        List<String> timed = nanos.stdout().lines().filter(l -> !l.isBlank()).toList();
        for (int i = 0; i < inputs.size(); i++) {
            long ts = inputs.get(i).ts();
            String expected = String.format("%d.%09d ", ts / 1_000_000_000L, ts % 1_000_000_000L);
            assertTrue(timed.get(i).startsWith(expected), timed.get(i) + " should start with " + expected);
        }
    }

    @Test
    void pcap4jReadsItBackToTheSamePackets() throws Exception {
        Path out = tmp.resolve("roundtrip.pcap");
        List<Input> inputs = inputs();
        write(create("path", out.toString()), inputs);
        PcapFileSource source = new PcapFileSource(out, false);
        List<Packet> back = new ArrayList<>();
        source.open();
        source.run(p -> back.add(p.copy()));
        source.close();
        assertEquals(inputs.size(), back.size());
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(LinkType.RAW, back.get(i).linkType());
            assertEquals(inputs.get(i).ts(), back.get(i).timestampNanos());
            assertTrue(back.get(i).isValid());
            assertArrayEquals(inputs.get(i).l3(), back.get(i).l3Bytes());
        }
    }

    @Test
    void flushPushesOutWhatIsBufferedAndBigPacketsFit() throws Exception {
        Path out = tmp.resolve("flush.pcap");
        Sink sink = create("path", out.toString());
        sink.open();
        assertEquals(24, Files.size(out), "the file header is written at open");
        Input in = inputs().get(0);
        sink.send(packet(in));
        assertEquals(24, Files.size(out), "records are buffered until flush");
        sink.flush();
        assertEquals(24 + 16 + in.l3().length, Files.size(out));

        // near-maximal IPv6 packets: more than the buffer holds at once
        byte[] base = Ptb.v6().build();
        byte[] payload = Arrays.copyOf(Arrays.copyOfRange(base, 40, base.length), 65_000);
        byte[] big = Ptb.ipv6(InetAddress.getByName("2001:db8:ff::1"), InetAddress.getByName("2001:db8:1::10"), 58, 64, payload);
        for (int i = 0; i < 3; i++) {
            sink.send(packet(new Input(big, LinkType.RAW, big, T0 + i)));
        }
        sink.close();
        PcapFile.Capture c = PcapFile.read(out);
        assertEquals(4, c.records().size());
        for (int i = 1; i < 4; i++) {
            assertArrayEquals(big, c.records().get(i).data());
            assertEquals(T0 + i - 1, c.records().get(i).timestampNanos());
        }
    }

    @Test
    void appendExtendsOnlyAFileOfTheSameFormat() throws Exception {
        Path out = tmp.resolve("log.pcap");
        List<Input> inputs = inputs();
        write(create("path", out.toString()), inputs.subList(0, 2));
        write(create("path", out.toString(), "append", "true"), inputs.subList(2, 3));
        PcapFile.Capture c = PcapFile.read(out);
        assertEquals(3, c.records().size());
        assertArrayEquals(inputs.get(2).l3(), c.records().get(2).data());
        assertEquals(0, Cmd.exec(List.of("tcpdump", "-nr", out.toString())).exitCode());

        write(create("path", out.toString()), inputs.subList(0, 1)); // append: false starts over
        assertEquals(1, PcapFile.read(out).records().size());

        write(create("path", tmp.resolve("fresh.pcap").toString(), "append", "yes"), inputs.subList(0, 1));
        assertEquals(1, PcapFile.read(tmp.resolve("fresh.pcap")).records().size(), "append to nothing creates");

        Path ethernet = tmp.resolve("ethernet.pcap");
        PcapFile.write(ethernet, 1, List.of(new PcapFile.Record(T0, inputs.get(1).frame())));
        Sink s = create("path", ethernet.toString(), "append", "true");
        IOException e = assertThrows(IOException.class, s::open);
        assertTrue(e.getMessage().contains("cannot append to " + ethernet) && !e.getMessage().contains("\n"), e.getMessage());
        s.close();
        assertEquals(1, PcapFile.read(ethernet).linkType(), "left untouched");
    }

    @Test
    void openErrorsAreOneLine() throws Exception {
        Path missingDir = tmp.resolve("no/such/dir/out.pcap");
        Sink s = create("path", missingDir.toString());
        IOException e = assertThrows(IOException.class, s::open);
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains(missingDir.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        s.close();

        Path dir = Files.createDirectories(tmp.resolve("a-directory"));
        Sink d = create("path", dir.toString());
        IOException de = assertThrows(IOException.class, d::open);
        assertTrue(de.getMessage().startsWith("pcap-file sink: cannot write " + dir), de.getMessage());
        assertFalse(de.getMessage().contains("\n"));
        d.close();
    }

    @Test
    void factoryTouchesNoFileAndChecksItsKeys() {
        PcapFileSinkFactory f = new PcapFileSinkFactory();
        assertEquals("pcap-file", f.type());
        assertEquals(java.util.Set.of("path", "append"), f.keys());
        Path p = tmp.resolve("not-yet.pcap");
        create("path", p.toString());
        assertFalse(Files.exists(p), "create() must not create the file");
        ConfigException bad = assertThrows(ConfigException.class, () -> create("path", "x.pcap", "append", "often"));
        assertTrue(bad.getMessage().startsWith(Cfg.FILE + ":3: ") && bad.getMessage().contains("'append'"), bad.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> create());
        assertTrue(missing.getMessage().contains("'path' is required"), missing.getMessage());
    }

    @Test
    void registeredForServiceLoader() {
        List<String> types = new ArrayList<>();
        for (SinkFactory f : ServiceLoader.load(SinkFactory.class)) {
            types.add(f.type());
        }
        assertEquals(List.of("pcap-file"), types);
    }
}
