package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.PcapFile;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.SampleCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pmtud replay} over captures built with the testkit. Expectations come from what each
 * record was built to be ({@link SampleCapture.Entry#expected()}), never from the output.
 */
class ReplayTest {
    private static final int LINKTYPE_RAW = 101;
    private static final Pattern SUMMARY = Pattern.compile(
            "\\{\\s*\"received\":\\s*(\\d+),\\s*\"invalid\":\\s*(\\d+),\\s*\"dropped\":\\s*\\{([^}]*)\\},\\s*\"forwarded\":\\s*(\\d+)\\s*\\}\\s*");

    @TempDir
    Path dir;

    /** The pipeline SampleCapture is written for (the same as examples/pmtud.yaml, with a pcap-file sink). */
    private Path defaultPipeline(Path capture) throws Exception {
        Path config = dir.resolve("pmtud.yaml");
        Files.writeString(config, """
                node: test-node
                metrics: { enabled: false }
                sources: [ { type: pcap-file, path: "%s" } ]
                filters:
                  - { type: exclude-networks, networks: [192.0.2.0/24, "2001:db8:1::/64"] }
                  - { type: mtu-range, min: 68, max: 9216 }
                  - { type: dedup, window: 1s }
                  - { type: rate-limit, per-source: 1/s, burst: 2, total: 100/s }
                sinks: [ { type: log } ]
                """.formatted(dir.resolve("not-read.pcap")));
        return config;
    }

    @Test
    void summaryAndOutputMatchWhatTheCaptureWasBuiltToContain() throws Exception {
        Path capture = dir.resolve("in.pcap");
        SampleCapture.write(capture);
        List<SampleCapture.Entry> entries = SampleCapture.entries();
        Path out = dir.resolve("out.pcap");
        Path json = dir.resolve("summary.json");

        CliRunner.Result r = CliRunner.run("replay", "--config", defaultPipeline(capture).toString(),
                "--input", capture.toString(), "--output", out.toString(), "--summary-json", json.toString());
        assertEquals(Main.OK, r.status(), r.toString());

        Map<String, Long> expectedDropped = new TreeMap<>();
        List<SampleCapture.Entry> expectedForwarded = new ArrayList<>();
        long expectedInvalid = 0;
        for (SampleCapture.Entry e : entries) {
            switch (e.expected()) {
                case "forwarded" -> expectedForwarded.add(e);
                case "invalid" -> expectedInvalid++;
                default -> expectedDropped.merge(e.expected(), 1L, Long::sum);
            }
        }
        Matcher m = SUMMARY.matcher(Files.readString(json));
        assertTrue(m.matches(), "exactly received, invalid, dropped, forwarded: " + Files.readString(json));
        assertEquals(entries.size(), Long.parseLong(m.group(1)), "received");
        assertEquals(expectedInvalid, Long.parseLong(m.group(2)), "invalid");
        assertEquals(expectedDropped, droppedCounts(m.group(3)), "dropped per filter");
        assertEquals(expectedForwarded.size(), Long.parseLong(m.group(4)), "forwarded");

        PcapFile.Capture written = PcapFile.read(out);
        assertEquals(LINKTYPE_RAW, written.linkType());
        assertEquals(expectedForwarded.size(), written.records().size());
        for (int i = 0; i < expectedForwarded.size(); i++) {
            SampleCapture.Entry want = expectedForwarded.get(i);
            PcapFile.Record got = written.records().get(i);
            assertArrayEquals(want.l3(), got.data(), "record " + i + " (" + want.note() + ") is the L3 packet as received");
            assertEquals(want.timestampNanos(), got.timestampNanos(), "record " + i + " keeps its capture time");
        }

        // One decision line per record, in capture order, then the summary.
        List<String> lines = r.out().lines().toList();
        assertEquals(entries.size() + 1, lines.size(), r.toString());
        for (int i = 0; i < entries.size(); i++) {
            String expected = entries.get(i).expected();
            String line = lines.get(i);
            if (expected.equals("forwarded") || expected.equals("invalid")) {
                assertTrue(line.contains(" " + expected + " "), "line " + i + " says " + expected + ": " + line);
            } else {
                assertTrue(line.contains(" dropped ") && line.contains("[" + expected + ": "), "line " + i + " names " + expected + ": " + line);
            }
        }
        assertTrue(lines.get(entries.size()).startsWith("summary: received " + entries.size()), r.toString());
    }

    /** The repository's examples/: what `make run` replays must be what SampleCapture builds, and decide as built. */
    @Test
    void bundledExampleIsCurrentAndDecidesAsBuilt() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path bundled = root.resolve("examples/capture.pcap");
        Path fresh = dir.resolve("fresh.pcap");
        SampleCapture.write(fresh);
        assertArrayEquals(Files.readAllBytes(fresh), Files.readAllBytes(bundled),
                "examples/capture.pcap is stale: regenerate it with `make sample`");

        Path json = dir.resolve("s.json");
        CliRunner.Result r = CliRunner.run("replay", "--quiet", "--config", root.resolve("examples/pmtud.yaml").toString(),
                "--input", bundled.toString(), "--summary-json", json.toString());
        assertEquals(Main.OK, r.status(), r.toString());
        Matcher m = SUMMARY.matcher(Files.readString(json));
        assertTrue(m.matches(), Files.readString(json));
        long forwarded = SampleCapture.entries().stream().filter(e -> e.expected().equals("forwarded")).count();
        assertEquals(forwarded, Long.parseLong(m.group(4)), "the bundled pipeline is the one SampleCapture is written for");
    }

    @Test
    void withoutOutputTheConfiguredSinksRunAndNothingIsWritten() throws Exception {
        Path capture = dir.resolve("in.pcap");
        SampleCapture.write(capture);
        Path json = dir.resolve("s.json");
        CliRunner.Result r = CliRunner.run("replay", "--quiet", "--config", defaultPipeline(capture).toString(),
                "--input", capture.toString(), "--summary-json", json.toString());
        assertEquals(Main.OK, r.status(), r.toString());
        long forwarded = SampleCapture.entries().stream().filter(e -> e.expected().equals("forwarded")).count();
        // the configured log sink logged each forwarded message
        assertEquals(forwarded, r.err().lines().filter(l -> l.contains(" sink.main.log: forwarded ")).count(), r.toString());
        assertEquals(1, r.out().lines().count(), "--quiet prints only the summary: " + r);
    }

    @Test
    void linuxCookedCaptureWithoutFiltersForwardsEverything() throws Exception {
        List<byte[]> l3 = List.of(
                Ptb.v4().from("203.0.113.5").mtu(1300).build(),
                Ptb.v6().from("2001:db8:ff::5").mtu(1400).build(),
                Ptb.v4().from("203.0.113.6").mtu(576).udp("192.0.2.10", 4789, "198.51.100.3", 4789).build());
        List<PcapFile.Record> records = new ArrayList<>();
        for (int i = 0; i < l3.size(); i++) {
            records.add(new PcapFile.Record(1_000_000_000L * (i + 1) + 123, Frames.sll2(2, 0, "02:00:00:00:00:01", l3.get(i))));
        }
        Path capture = dir.resolve("sll2.pcap");
        PcapFile.write(capture, 276, records);
        Path config = dir.resolve("none.yaml");
        Files.writeString(config, "metrics: { enabled: false }\nsources: [ { type: pcap-file, path: x.pcap } ]\n");
        Path out = dir.resolve("out.pcap");

        CliRunner.Result r = CliRunner.run("replay", "--config", config.toString(), "--input", capture.toString(), "--output", out.toString());

        assertEquals(Main.OK, r.status(), r.toString());
        List<PcapFile.Record> written = PcapFile.read(out).records();
        assertEquals(l3.size(), written.size());
        for (int i = 0; i < l3.size(); i++) {
            assertArrayEquals(l3.get(i), written.get(i).data());
            assertEquals(records.get(i).timestampNanos(), written.get(i).timestampNanos());
        }
        assertTrue(r.out().contains("summary: received 3, invalid 0, dropped 0, forwarded 3"), r.toString());
    }

    /** The outcome is not read from the label: a filter that calls itself "forwarded" still drops. */
    @Test
    void aFilterNamedForwardedThatDropsIsPrintedAsADrop() throws Exception {
        Path capture = dir.resolve("one.pcap");
        PcapFile.write(capture, LINKTYPE_RAW, List.of(new PcapFile.Record(1_000_000_000L, Ptb.v4().mtu(1400).build())));
        Path config = dir.resolve("named.yaml");
        Files.writeString(config, """
                metrics: { enabled: false }
                sources: [ { type: pcap-file, path: x.pcap } ]
                filters: [ { type: mtu-range, name: forwarded, min: 9000, max: 9216 } ]
                """);

        CliRunner.Result r = CliRunner.run("replay", "--config", config.toString(), "--input", capture.toString());

        assertEquals(Main.OK, r.status(), r.toString());
        String line = r.out().lines().findFirst().orElseThrow();
        assertTrue(line.contains(" dropped ") && line.endsWith(" [forwarded: mtu-below-min]"), r.toString());
        assertTrue(r.out().contains("summary: received 1, invalid 0, dropped 1 (forwarded 1), forwarded 0"), r.toString());
    }

    @Test
    void missingInputIsAStartFailure() throws Exception {
        Path config = dir.resolve("none.yaml");
        Files.writeString(config, "sources: [ { type: pcap-file, path: x.pcap } ]\n");
        Path missing = dir.resolve("missing.pcap");
        CliRunner.Result r = CliRunner.run("replay", "--config", config.toString(), "--input", missing.toString());
        assertEquals(Main.FAILED, r.status(), r.toString());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("pmtud: ") && l.contains(missing.toString())), r.toString());
        assertTrue(!r.err().contains("\tat "), r.toString());
    }

    /** relay lets nothing valid through (mtu-range min 9000); pass has no filters. Neither source is read by replay. */
    private Path twoPipelines() throws Exception {
        Path config = dir.resolve("two.yaml");
        Files.writeString(config, """
                metrics: { enabled: false }
                pipelines:
                  - name: relay
                    sources: [ { type: pcap-file, path: not-read.pcap } ]
                    filters: [ { type: mtu-range, min: 9000, max: 9216 } ]
                  - name: pass
                    sources: [ { type: pcap-file, path: not-read-either.pcap } ]
                """);
        return config;
    }

    @Test
    void pipelinePicksWhichPipelineRunsAndTheSummaryIsItsOwn() throws Exception {
        Path capture = dir.resolve("in.pcap");
        SampleCapture.write(capture);
        List<SampleCapture.Entry> entries = SampleCapture.entries();
        long valid = entries.stream().filter(e -> !e.expected().equals("invalid")).count();
        Path json = dir.resolve("pass.json");

        CliRunner.Result pass = CliRunner.run("replay", "--config", twoPipelines().toString(), "--pipeline", "pass",
                "--input", capture.toString(), "--summary-json", json.toString());
        assertEquals(Main.OK, pass.status(), pass.toString());
        Matcher m = SUMMARY.matcher(Files.readString(json));
        assertTrue(m.matches(), Files.readString(json));
        assertEquals(entries.size(), Long.parseLong(m.group(1)), "received");
        assertEquals(Map.of(), droppedCounts(m.group(3)), "pass has no filters");
        assertEquals(valid, Long.parseLong(m.group(4)), "pass forwards every valid message");
        List<String> lines = pass.out().lines().toList();
        assertEquals(entries.size() + 1, lines.size(), pass.toString());
        assertTrue(lines.subList(0, entries.size()).stream().allMatch(l -> l.contains("Z [pass] ")),
                "with several pipelines each line names its pipeline: " + pass);
        assertTrue(lines.get(entries.size()).startsWith("pipeline pass summary: received " + entries.size()), pass.toString());

        CliRunner.Result relay = CliRunner.run("replay", "--quiet", "--config", twoPipelines().toString(), "--pipeline", "relay",
                "--input", capture.toString());
        assertEquals(Main.OK, relay.status(), relay.toString());
        assertTrue(relay.out().contains("dropped " + valid + " (mtu-range " + valid + "), forwarded 0"), relay.toString());
    }

    @Test
    void severalPipelinesNeedPipelineAndAnUnknownNameIsRefused() throws Exception {
        Path capture = dir.resolve("in.pcap");
        SampleCapture.write(capture);
        CliRunner.Result none = CliRunner.run("replay", "--config", twoPipelines().toString(), "--input", capture.toString());
        assertEquals(Main.BAD_CONFIG, none.status(), none.toString());
        assertEquals(1, none.err().strip().lines().count(), none.toString());
        assertTrue(none.err().contains("the configuration has several pipelines (relay, pass); pick one with --pipeline NAME"),
                none.toString());
        assertEquals("", none.out());

        CliRunner.Result unknown = CliRunner.run("replay", "--config", twoPipelines().toString(), "--pipeline", "nope",
                "--input", capture.toString());
        assertEquals(Main.BAD_CONFIG, unknown.status(), unknown.toString());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.toString());
        assertTrue(unknown.err().contains("--pipeline: the configuration has no pipeline named 'nope'; its pipelines: relay, pass"),
                unknown.toString());
    }

    @Test
    void theSingleFormIsPipelineMain() throws Exception {
        Path capture = dir.resolve("in.pcap");
        SampleCapture.write(capture);
        CliRunner.Result r = CliRunner.run("replay", "--quiet", "--config", defaultPipeline(capture).toString(),
                "--pipeline", "main", "--input", capture.toString());
        assertEquals(Main.OK, r.status(), r.toString());
        assertTrue(r.out().startsWith("summary: received " + SampleCapture.entries().size()), r.toString());
    }

    private static Map<String, Long> droppedCounts(String body) {
        Map<String, Long> out = new TreeMap<>();
        Matcher m = Pattern.compile("\"([^\"]+)\":\\s*(\\d+)").matcher(body);
        while (m.find()) {
            long n = Long.parseLong(m.group(2));
            if (n > 0) {
                out.put(m.group(1), n);
            }
        }
        return out;
    }
}
