package dev.pmtud.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.core.filter.DedupFilterFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {
    private final ClassLoader loader = PluginRegistryTest.class.getClassLoader();

    @Test
    void findsTheBuiltInsWithKindAndOrigin() throws Exception {
        PluginRegistry registry = PluginRegistry.discover(List.of(loader));
        for (String type : List.of("exclude-networks", "mtu-range", "dedup", "rate-limit", "service-addresses")) {
            assertTrue(registry.find(PluginRegistry.FILTER, type).isPresent(), type);
        }
        assertTrue(registry.find(PluginRegistry.SINK, "log").isPresent());
        assertTrue(registry.find(PluginRegistry.PEERS, "static").isPresent());
        PluginRegistry.Plugin dedup = registry.find(PluginRegistry.FILTER, "dedup").orElseThrow();
        assertEquals(PluginRegistry.FILTER, dedup.kind());
        assertTrue(dedup.factory() instanceof DedupFilterFactory);
        assertTrue(!dedup.description().isBlank());
        Path expectedOrigin = Path.of(DedupFilterFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertEquals(expectedOrigin.toString(), dedup.origin());
        assertTrue(Files.exists(Path.of(dedup.origin())));
        assertTrue(registry.find(PluginRegistry.FILTER, "nope").isEmpty());
        assertEquals(List.of("dedup", "exclude-networks", "mtu-range", "rate-limit", "service-addresses"), registry.types(PluginRegistry.FILTER));
    }

    @Test
    void aClassSeenThroughSeveralLoadersCountsOnce() throws Exception {
        int once = PluginRegistry.discover(List.of(loader)).plugins().size();
        try (URLClassLoader child = new URLClassLoader(new URL[0], loader)) {
            assertEquals(once, PluginRegistry.discover(List.of(loader, child, loader)).plugins().size());
        }
    }

    /** Another jar offering type dedup: the test's classes directory, registered through a plugin loader. */
    public static final class OtherDedupFactory implements FilterFactory {
        @Override
        public String type() {
            return "dedup";
        }

        @Override
        public String description() {
            return "a second dedup";
        }

        @Override
        public Set<String> keys() {
            return Set.of();
        }

        @Override
        public Filter create(ComponentConfig config, PipelineContext context) {
            return p -> dev.pmtud.api.Verdict.PASS;
        }
    }

    @Test
    void theSameTypeFromTwoOriginsIsRefusedNamingBoth(@TempDir Path plugin) throws Exception {
        Path services = plugin.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(FilterFactory.class.getName()), OtherDedupFactory.class.getName() + "\n");
        try (URLClassLoader pluginLoader = new URLClassLoader(new URL[] {plugin.toUri().toURL()}, loader)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> PluginRegistry.discover(List.of(loader, pluginLoader)));
            String builtInOrigin = Path.of(DedupFilterFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            String otherOrigin = Path.of(OtherDedupFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            assertTrue(e.getMessage().contains("'dedup'"), e.getMessage());
            assertTrue(e.getMessage().contains(builtInOrigin), e.getMessage());
            assertTrue(e.getMessage().contains(otherOrigin), e.getMessage());
        }
    }
}
