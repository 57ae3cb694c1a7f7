package dev.pmtud.core.peers;

import static dev.pmtud.core.peers.FilePeerProviderTest.addresses;
import static dev.pmtud.core.peers.FilePeerProviderTest.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Cmd;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real DNS server (dnsmasq, Debian package dnsmasq-base) on a free loopback port. */
class DnsPeerProviderTest {
    private static final String NAME = "pmtud.peers.test";

    @TempDir
    Path dir;

    /**
     * A dnsmasq that answers from a hosts file only, authoritative for peers.test (so a missing name
     * is NXDOMAIN and a missing type an empty answer, not REFUSED); SIGHUP makes it read the file again.
     */
    final class Dnsmasq implements AutoCloseable {
        final Path hosts = dir.resolve("hosts");
        final int port;
        final Process process;

        Dnsmasq(String hostsContent) throws Exception {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // dnsmasq reads as nobody
            write(hostsContent);
            port = freeUdpPort();
            process = new ProcessBuilder("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--pid-file=",
                    "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--local=/peers.test/",
                    "--addn-hosts=" + hosts, "--log-facility=-").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
            // ready when it answers
            Await.until(Duration.ofSeconds(10), () -> "dnsmasq to answer; its log: " + log(), this::answers);
        }

        /** Whether it answered a query, even negatively: a running server. Fails at once if it died. */
        private boolean answers() {
            if (!process.isAlive()) {
                throw new AssertionError("dnsmasq did not start: " + log());
            }
            try {
                DnsQuery.query(server(), NAME, DnsQuery.A, Duration.ofMillis(200));
                return true;
            } catch (DnsQuery.DnsException e) {
                return !e.reason.equals("timeout") && !e.reason.equals("unreachable");
            } catch (IOException e) {
                return false;
            }
        }

        private String log() {
            try {
                return Files.readString(dir.resolve("dnsmasq.log"));
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        InetSocketAddress server() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }

        void write(String content) throws IOException {
            Files.writeString(hosts, content);
            Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("rw-r--r--"));
        }

        void reload(String content) throws IOException {
            write(content);
            Cmd.run("kill", "-HUP", Long.toString(process.pid()));
        }

        /** Stops the server (the test goes on without it). */
        void stop() {
            process.destroy();
            try {
                process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            stop();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void assumeDnsmasq() {
        boolean present = Files.isExecutable(Path.of("/usr/sbin/dnsmasq")) || Files.isExecutable(Path.of("/usr/bin/dnsmasq"));
        if (!present) {
            System.err.println("!!! SKIPPED: DnsPeerProviderTest needs dnsmasq (apt-get install dnsmasq-base)");
        }
        Assumptions.assumeTrue(present, "SKIPPED LOUDLY: needs dnsmasq (dnsmasq-base)");
    }

    @Test
    void reportsAAndAaaaAndPicksUpAChangedRecord() throws Exception {
        assumeDnsmasq();
        try (Dnsmasq dns = new Dnsmasq("192.0.2.2 " + NAME + "\n192.0.2.3 " + NAME + "\n2001:db8::4 " + NAME + "\n")) {
            FilePeerProviderTest.Events events = new FilePeerProviderTest.Events();
            try (PeerProvider p = create("dns", "name", NAME, "refresh", "200ms", "server", "127.0.0.1:" + dns.port)) {
                p.start(events);
                assertEquals(addresses("192.0.2.2", "192.0.2.3", "2001:db8::4"), events.next(), "A and AAAA, before start() returns");

                dns.reload("192.0.2.3 " + NAME + "\n198.51.100.8 " + NAME + "\n");
                assertEquals(addresses("192.0.2.3", "198.51.100.8"), events.next(), "the changed record");

                // the server goes away: failures are reported, the last good set is kept (no peersChanged)
                dns.stop();
                String failure = (String) events.next();
                assertTrue(failure.startsWith("timeout|") || failure.startsWith("unreachable|"), failure);
                assertTrue(failure.contains("keeping the previous peers"), failure);
                Object next = events.next();
                assertTrue(next instanceof String, "only failures while the server is gone, got " + next);
            }
        }
    }

    @Test
    void aNameThatDoesNotExistIsAFailureNotAnEmptySet() throws Exception {
        assumeDnsmasq();
        try (Dnsmasq dns = new Dnsmasq("192.0.2.2 other.test\n")) {
            FilePeerProviderTest.Events events = new FilePeerProviderTest.Events();
            try (PeerProvider p = create("dns", "name", NAME, "refresh", "10s", "server", "127.0.0.1:" + dns.port)) {
                p.start(events);
                Object first = events.next();
                assertTrue(first instanceof String && !((String) first).isEmpty(), "a failure, got " + first);
                assertNull(events.queue.poll(), "no peer set was reported");
            }
        }
    }

    @Test
    void parsesServersAndChecksConfiguration() {
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353), DnsQuery.parseServer("127.0.0.1:5353"));
        assertEquals(53, DnsQuery.parseServer("127.0.0.1").getPort());
        assertEquals(5353, DnsQuery.parseServer("[2001:db8::53]:5353").getPort());
        assertEquals(53, DnsQuery.parseServer("2001:db8::53").getPort());
        ConfigException e = assertThrows(ConfigException.class, () -> create("dns", "name", NAME, "server", "127.0.0.1:99999"));
        assertTrue(e.getMessage().contains("'server'") && e.getMessage().contains("bad port"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> create("dns", "name", "bad..name"));
        assertTrue(e.getMessage().contains("'name'"), e.getMessage());
    }
}
