package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.app.plugins.PluginDirectory;
import dev.pmtud.testkit.PcapFile;
import dev.pmtud.testkit.Ptb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party filter plugin, compiled here against pmtud-api alone, jarred with its service file
 * and dropped in a plugin directory: it must be listed, applied in replay, and isolated from
 * everything but the SPI and the JDK.
 */
class PluginTest {
    private static final String FACTORY = "com.example.pmtud.DropMtuFilterFactory";
    private static final String SOURCE = """
            package com.example.pmtud;

            import dev.pmtud.api.*;
            import java.util.Set;

            /** { type: drop-mtu, mtu: N }: drops messages announcing exactly that MTU. */
            public final class DropMtuFilterFactory implements FilterFactory {
                public String type() { return "drop-mtu"; }
                public String description() { return "test plugin: drops one MTU"; }
                public Set<String> keys() { return Set.of("mtu"); }
                public Filter create(ComponentConfig config, PipelineContext context) {
                    long mtu = config.integer("mtu", 0L, 0L, 65535L);
                    // The reason says what this class loader can see, so the test can check isolation.
                    Verdict drop = Verdict.drop(sees("dev.pmtud.core.Pipeline") || sees("org.yaml.snakeyaml.Yaml")
                            ? "sees-the-application" : "isolated");
                    return p -> p.nextHopMtu() == mtu ? drop : Verdict.PASS;
                }
                private boolean sees(String name) {
                    try {
                        Class.forName(name, false, getClass().getClassLoader());
                        return true;
                    } catch (ClassNotFoundException e) {
                        return false;
                    }
                }
            }
            """;

    @TempDir
    Path dir;
    Path pluginDir;
    Path jar;

    @BeforeEach
    void buildPlugin() throws Exception {
        pluginDir = Files.createDirectories(dir.resolve("plugins"));
        jar = PluginJar.build(dir.resolve("build"), pluginDir.resolve("drop-mtu-plugin.jar"),
                Map.of(FACTORY, SOURCE), Map.of("dev.pmtud.api.FilterFactory", FACTORY));
        Files.writeString(pluginDir.resolve("README.txt"), "not a plugin: ignored");
    }

    @Test
    void pluginFilterIsAppliedInReplayAndCannotSeeTheApplication() throws Exception {
        List<byte[]> l3 = List.of(Ptb.v4().mtu(1400).build(), Ptb.v4().mtu(1300).build(), Ptb.v6().mtu(1300).build(),
                Ptb.v6().mtu(1280).build());
        long dropped = 2; // the two built with MTU 1300
        List<PcapFile.Record> records = new java.util.ArrayList<>();
        for (int i = 0; i < l3.size(); i++) {
            records.add(new PcapFile.Record(1_700_000_000_000_000_000L + i * 1_000_000L, l3.get(i)));
        }
        Path capture = dir.resolve("in.pcap");
        PcapFile.write(capture, 101, records);
        Path config = dir.resolve("p.yaml");
        Files.writeString(config, """
                metrics: { enabled: false }
                sources: [ { type: pcap-file, path: x.pcap } ]
                filters:
                  - { type: drop-mtu, mtu: 1300 }
                """);

        CliRunner.Result r = CliRunner.run("--plugin-dir", pluginDir.toString(), "replay", "--config", config.toString(),
                "--input", capture.toString());

        assertEquals(Main.OK, r.status(), r.toString());
        assertEquals(dropped, r.out().lines().filter(l -> l.contains("[drop-mtu: isolated]")).count(), r.toString());
        assertTrue(r.out().contains("summary: received 4, invalid 0, dropped 2 (drop-mtu 2), forwarded 2"), r.toString());
    }

    @Test
    void pluginsListsItWithItsJar() {
        CliRunner.Result r = CliRunner.run("plugins", "--plugin-dir", pluginDir.toString());
        assertEquals(Main.OK, r.status(), r.toString());
        String line = r.out().lines().filter(l -> l.contains(" drop-mtu ")).findFirst().orElseThrow(() -> new AssertionError(r));
        assertTrue(line.startsWith("filter "), line);
        assertTrue(line.contains(jar.toString()), "origin is the plugin jar: " + line);
        // the built-ins are still there
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("filter ") && l.contains(" dedup ")), r.toString());
    }

    @Test
    void withoutThePluginDirItsTypeIsUnknown() throws Exception {
        Path config = dir.resolve("p.yaml");
        Files.writeString(config, "sources: [ { type: pcap-file, path: x.pcap } ]\nfilters: [ { type: drop-mtu, mtu: 1 } ]\n");
        CliRunner.Result r = CliRunner.run("validate", "--config", config.toString());
        assertEquals(Main.BAD_CONFIG, r.status(), r.toString());
        assertTrue(r.err().contains(config + ":2: ") && r.err().contains("unknown filter type 'drop-mtu'"), r.toString());
    }

    @Test
    void aSubDirectoryOfJarsIsOnePlugin() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("plugins2/drop-mtu"));
        Files.move(jar, sub.resolve("drop-mtu-plugin.jar"));
        CliRunner.Result r = CliRunner.run("plugins", "--plugin-dir", dir.resolve("plugins2").toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("filter ") && l.contains(" drop-mtu ")), r.toString());
    }

    @Test
    void pluginLoaderSeesOnlyTheApiAndTheJdk() throws Exception {
        List<PluginDirectory.Plugin> plugins = PluginDirectory.load(pluginDir, true, getClass().getClassLoader());
        assertEquals(1, plugins.size(), "the README is not a plugin");
        ClassLoader loader = plugins.get(0).loader();
        assertEquals(dev.pmtud.api.Packet.class, loader.loadClass("dev.pmtud.api.Packet"), "the SPI is shared, not copied");
        assertEquals(String.class, loader.loadClass("java.lang.String"));
        assertTrue(loader.loadClass("java.net.http.HttpClient") != null, "platform modules are visible");
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.pmtud.core.Pipeline"));
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.pmtud.app.Main"));
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("picocli.CommandLine"));
        // the application's own service files do not leak into the plugin's ServiceLoader
        assertEquals(1, java.util.Collections.list(loader.getResources("META-INF/services/dev.pmtud.api.FilterFactory")).size());
    }

    @Test
    void missingExplicitPluginDirIsAnErrorButAMissingDefaultIsNot() {
        CliRunner.Result r = CliRunner.run("plugins", "--plugin-dir", dir.resolve("nope").toString());
        assertEquals(Main.FAILED, r.status(), r.toString());
        assertTrue(r.err().contains("plugin directory " + dir.resolve("nope") + " does not exist"), r.toString());
        assertTrue(PluginDirectory.load(dir.resolve("nope"), false, getClass().getClassLoader()).isEmpty());
    }
}
