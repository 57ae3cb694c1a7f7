package dev.pmtud.core.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.PeerListener;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.Values;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.TestContext;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePeerProviderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** What a provider reported, in order: a Set for peersChanged, a String "reason|detail" for failures. */
    static final class Events implements PeerListener {
        final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();

        @Override
        public void peersChanged(Set<InetAddress> peers) {
            queue.add(peers);
        }

        @Override
        public void refreshFailed(String reason, String detail) {
            queue.add(reason + "|" + detail);
        }

        Object next() throws InterruptedException {
            Object o = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (o == null) {
                throw new AssertionError("no event from the provider within " + WAIT);
            }
            return o;
        }
    }

    static Set<InetAddress> addresses(String... a) {
        Set<InetAddress> s = new java.util.HashSet<>();
        for (String x : a) {
            s.add(Values.parseAddress(x));
        }
        return s;
    }

    static PeerProvider create(String type, String... kv) {
        ComponentConfig cfg = Cfg.component(10, "peers", type, (Object[]) kv);
        PeerProviderFactory f = ServiceLoader.load(PeerProviderFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.type().equals(type)).findFirst().orElseThrow(() -> new AssertionError("no factory " + type));
        cfg.checkKeys(f.keys());
        return f.create(cfg, new TestContext("node-a"));
    }

    /** Replaces the file the way editors and config management do: write aside, rename over. */
    private void replace(Path file, String content) throws Exception {
        Path tmp = dir.resolve("peers.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void readsAddressesCommentsAndBlankLinesAndPicksUpEdits() throws Exception {
        Path file = dir.resolve("peers");
        Files.writeString(file, "# the other nodes\n192.0.2.2\n\n  192.0.2.3   # node-c\n2001:db8::4\n");
        Events events = new Events();
        try (PeerProvider p = create("file", "path", file.toString(), "reload", "50ms")) {
            p.start(events);
            assertEquals(addresses("192.0.2.2", "192.0.2.3", "2001:db8::4"), events.next(), "first set reported by start()");

            // edited in place while running: one removed, one added
            Files.writeString(file, "192.0.2.2\n198.51.100.5\n2001:db8::4\n");
            assertEquals(addresses("192.0.2.2", "198.51.100.5", "2001:db8::4"), events.next());

            // a bad line: reported with file:line, the last good set stays (no peersChanged)
            replace(file, "192.0.2.2\n# fine\nnode-d.example\n");
            String failure = (String) events.next();
            assertTrue(failure.startsWith(FilePeerProvider.BAD_LINE + "|" + file + ":3: 'node-d.example' is not an IP address"), failure);

            // fixed again (rename over the old file)
            replace(file, "192.0.2.7\n");
            assertEquals(addresses("192.0.2.7"), events.next());
            assertNull(events.queue.poll(), "nothing else was reported");
        }
    }

    @Test
    void aMissingFileIsAFailureUntilItAppears() throws Exception {
        Path file = dir.resolve("later");
        Events events = new Events();
        try (PeerProvider p = create("file", "path", file.toString(), "reload", "50ms")) {
            p.start(events);
            String failure = (String) events.next();
            assertTrue(failure.startsWith(FilePeerProvider.UNREADABLE + "|" + file + ": no such file"), failure);
            replace(file, "203.0.113.9\n");
            assertEquals(addresses("203.0.113.9"), events.next());
        }
    }

    @Test
    void configurationIsChecked() {
        ConfigException e = assertThrows(ConfigException.class, () -> create("file", "reload", "5s"));
        assertTrue(e.getMessage().startsWith("pmtud.yaml:10: peers[0] (file): 'path' is required"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> create("file", "path", "/x", "reload", "soon"));
        assertTrue(e.getMessage().startsWith("pmtud.yaml:12: "), e.getMessage());
        e = assertThrows(ConfigException.class, () -> create("file", "path", "/x", "interval", "5s"));
        assertTrue(e.getMessage().contains("unknown key 'interval'"), e.getMessage());
    }
}
