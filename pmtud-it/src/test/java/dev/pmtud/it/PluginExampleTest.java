package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.app.Cli;
import dev.pmtud.app.Main;
import dev.pmtud.app.StopSignal;
import dev.pmtud.testkit.PcapFile;
import dev.pmtud.testkit.Ptb;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example plugin (examples/plugin-example, filter type {@code allow-flows}) loaded the way a
 * user loads a plugin: its jar alone in a plugins directory, read by {@code pmtud replay
 * --plugin-dir}. The jar comes from the reactor build of examples/plugin-example.
 */
class PluginExampleTest {
    static final String SERVICE_V4 = "192.0.2.10";
    static final String SERVICE_V6 = "2001:db8:1::10";

    @TempDir
    Path tmp;

    Path plugins;
    Path config;
    Path input;
    int expectedPass;
    int expectedDrop;

    /** The example's jar as the reactor built it; when only its classes exist (mvn test), a jar of them. */
    static Path pluginJar(Path into) throws IOException {
        Path module = RepoPaths.root().resolve("examples/plugin-example").resolve(RepoPaths.buildDirName());
        if (Files.isDirectory(module)) {
            try (Stream<Path> s = Files.list(module)) {
                var jar = s.filter(p -> p.getFileName().toString().matches("plugin-example-[^/]*\\.jar")
                        && !p.getFileName().toString().endsWith("-sources.jar") && !p.getFileName().toString().endsWith("-tests.jar"))
                        .findFirst();
                if (jar.isPresent()) {
                    return Files.copy(jar.get(), into.resolve(jar.get().getFileName()));
                }
            }
        }
        Path classes = module.resolve("classes");
        assertTrue(Files.isRegularFile(classes.resolve("META-INF/services/dev.pmtud.api.FilterFactory")),
                "examples/plugin-example is built (" + classes + "); build it with the reactor, e.g. "
                        + "mvn -pl examples/plugin-example,pmtud-it -am verify");
        Path jar = into.resolve("plugin-example.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
        return jar;
    }

    @BeforeEach
    void prepare() throws IOException {
        plugins = Files.createDirectory(tmp.resolve("plugins"));
        Path jar = pluginJar(plugins);
        assertTrue(Files.size(jar) > 0, jar + " is a jar");

        // Messages about our service's flows (pass) and about others' (dropped), both families.
        List<PcapFile.Record> records = new ArrayList<>();
        long t = 1_700_000_000_000_000_000L;
        int seq = 0;
        List<Ptb> pass = List.of(
                Ptb.v4().tcp(SERVICE_V4, 443, "198.51.100.7", 51000),
                Ptb.v4().tcp(SERVICE_V4, 443, "198.51.100.8", 51001),
                Ptb.v4().udp(SERVICE_V4, 443, "198.51.100.9", 40000),
                Ptb.v6().tcp(SERVICE_V6, 443, "2001:db8:2::7", 51000));
        List<Ptb> drop = List.of(
                Ptb.v4().tcp(SERVICE_V4, 22, "198.51.100.7", 51000),       // our address, other port
                Ptb.v4().tcp("192.0.2.99", 443, "198.51.100.7", 51000),   // other address, our port
                Ptb.v4().tcp("198.51.100.7", 51000, SERVICE_V4, 443),     // the client's side of our flow
                Ptb.v6().tcp("2001:db8:9::1", 443, "2001:db8:2::7", 51000),
                Ptb.v4().flow(1, SERVICE_V4, 443, "198.51.100.7", 0));    // embedded ICMP: no ports
        for (Ptb p : pass) {
            records.add(new PcapFile.Record(t += 1_000_000_000L, p.sequence(++seq).build()));
        }
        for (Ptb p : drop) {
            records.add(new PcapFile.Record(t += 1_000_000_000L, p.sequence(++seq).build()));
        }
        expectedPass = pass.size();
        expectedDrop = drop.size();
        input = tmp.resolve("in.pcap");
        PcapFile.write(input, LinkType.RAW.pcapLinkType(), records);

        config = tmp.resolve("pmtud.yaml");
        Files.writeString(config, String.join("\n",
                "node: node-a",
                "metrics: { enabled: false }",
                "sources:",
                "  - { type: pcap-file, path: " + input + " }",
                "filters:",
                "  - { type: allow-flows, sources: [" + SERVICE_V4 + "/32, \"" + SERVICE_V6 + "/128\"], ports: [443, 8443] }",
                "sinks:",
                "  - { type: log }",
                ""));
    }

    record Run(int status, String out, String err) {
    }

    static Run pmtud(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.<String, String>of()::get, new StopSignal()), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void replayAppliesTheFilterLoadedFromThePluginDirectory() throws Exception {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.pmtud.example.AllowFlowsFilterFactory"),
                "the example is not on pmtud's class path: only the plugin directory can supply it");
        Path summary = tmp.resolve("summary.json");
        Path output = tmp.resolve("out.pcap");
        Run r = pmtud("replay", "--plugin-dir", plugins.toString(), "--config", config.toString(), "--input", input.toString(),
                "--output", output.toString(), "--summary-json", summary.toString(), "--quiet");
        assertEquals(Main.OK, r.status, r.out + r.err);

        String json = Files.readString(summary);
        assertEquals(expectedPass + expectedDrop, number(json, "received"), json);
        assertEquals(0, number(json, "invalid"), json);
        assertEquals(expectedDrop, number(json, "allow-flows"), json);
        assertEquals(expectedPass, number(json, "forwarded"), json);

        // What came out is exactly our service's messages.
        List<PcapFile.Record> forwarded = PcapFile.read(output).records();
        assertEquals(expectedPass, forwarded.size());
        for (PcapFile.Record rec : forwarded) {
            Packet p = new Packet().wrap(rec.data(), 0, rec.data().length, LinkType.RAW, rec.timestampNanos());
            assertTrue(p.decode(), p.invalidReason());
            String src = p.innerSource().getHostAddress();
            assertTrue(src.equals(SERVICE_V4) || src.equals(dev.pmtud.api.Values.parseAddress(SERVICE_V6).getHostAddress()),
                    "forwarded only our flows: " + p.describe());
            assertEquals(443, p.innerSourcePort(), p.describe());
        }
    }

    @Test
    void pluginsCommandListsItAndWithoutThePluginTheTypeIsUnknown() throws IOException {
        Run listed = pmtud("plugins", "--plugin-dir", plugins.toString());
        assertEquals(Main.OK, listed.status, listed.out + listed.err);
        assertTrue(listed.out.contains("allow-flows"), listed.out);

        Path empty = Files.createDirectory(tmp.resolve("empty-plugins"));
        Run without = pmtud("replay", "--config", config.toString(), "--input", input.toString(), "--quiet",
                "--plugin-dir", empty.toString());
        assertEquals(Main.BAD_CONFIG, without.status, without.out + without.err);
        assertTrue(without.err.contains("allow-flows"), without.err);
    }
}
