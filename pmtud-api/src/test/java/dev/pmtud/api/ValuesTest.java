package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {
    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), Values.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(1), Values.parseDuration("1s"));
        assertEquals(Duration.ofMinutes(5), Values.parseDuration("5m"));
        assertEquals(Duration.ofHours(1), Values.parseDuration("1h"));
        assertEquals(Duration.ofNanos(250_000), Values.parseDuration("250us"));
        assertEquals(Duration.ofNanos(250_000), Values.parseDuration("250µs"));
        assertEquals(Duration.ofNanos(7), Values.parseDuration("7ns"));
        assertEquals(Duration.ZERO, Values.parseDuration("0s"));
        assertEquals(Duration.ofMillis(1500), Values.parseDuration(" 1.5S "));
        assertEquals(Duration.ofMillis(1500), Values.parseDuration("1.5 s"));
    }

    @Test
    void badDurations() {
        for (String bad : new String[] {"500", "s", "", "-1s", "1d", "1.2.3s", "1e3s", "ms5", "99999999999h"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.parseDuration(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void sizes() {
        assertEquals(4096, Values.parseSize("4096"));
        assertEquals(4096, Values.parseSize("4096B"));
        assertEquals(64 * 1024, Values.parseSize("64KiB"));
        assertEquals(4L << 20, Values.parseSize("4MiB"));
        assertEquals(4L << 20, Values.parseSize("4 MiB"));
        assertEquals(1L << 30, Values.parseSize("1GiB"));
        assertEquals(2048, Values.parseSize("2K"));
        assertEquals(1000, Values.parseSize("1KB"));
        assertEquals(3_000_000, Values.parseSize("3MB"));
        assertEquals(2_000_000_000L, Values.parseSize("2GB"));
    }

    @Test
    void badSizes() {
        for (String bad : new String[] {"", "MiB", "-4MiB", "4mib", "4 TiB", "1.5MiB", "99999999999999999999", "9223372036854775807GiB"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.parseSize(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void addressLiterals() {
        InetAddress a = Values.parseAddress(" 192.0.2.1 ");
        assertTrue(a instanceof Inet4Address);
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, a.getAddress());
        InetAddress b = Values.parseAddress("2001:db8::1");
        assertTrue(b instanceof Inet6Address);
        assertEquals(Inet.of("2001:db8::1"), b);
        assertEquals(Inet.of("2001:db8::2"), Values.parseAddress("[2001:db8::2]"));
        assertEquals(Inet.of("198.51.100.255"), Values.parseAddress("198.51.100.255"));
    }

    @Test
    void namesAndMalformedLiteralsNeverResolve() {
        // Each would be looked up in DNS or /etc/hosts, or read as a legacy form, by InetAddress.getByName.
        for (String bad : new String[] {"localhost", "example.invalid", "node-1", "1.2.3", "1.2.3.4.", "256.1.1.1", "1..2.3",
                "0x7f.0.0.1", "1234.1.1.1", "", "   ", "2001:db8::g", "dead:beef:zz::1", "[]", "192.0.2.1/24"}) {
            long start = System.nanoTime();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.parseAddress(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("not an IP address"), e.getMessage());
            assertTrue(System.nanoTime() - start < 2_000_000_000L, bad + " took long enough to have been looked up");
        }
    }

    @Test
    void addressesAreFormattedAsPeopleWriteThem() {
        // RFC 5952: lower case, longest zero run compressed, the first of equal runs, no single-group "::"
        assertEquals("2001:db8::2", Values.formatAddress(Values.parseAddress("2001:DB8:0:0:0:0:0:2")));
        assertEquals("2001:0:0:1::3", Values.formatAddress(Values.parseAddress("2001:0:0:1:0:0:0:3")));
        assertEquals("2001::1:2:0:0:3", Values.formatAddress(Values.parseAddress("2001:0:0:1:2:0:0:3")));
        assertEquals("2001:db8:0:1:1:1:1:1", Values.formatAddress(Values.parseAddress("2001:db8:0:1:1:1:1:1")));
        assertEquals("::", Values.formatAddress(Values.parseAddress("::")));
        assertEquals("::1", Values.formatAddress(Values.parseAddress("::1")));
        assertEquals("fe80::", Values.formatAddress(Values.parseAddress("fe80::")));
        assertEquals("192.0.2.1", Values.formatAddress(Values.parseAddress("192.0.2.1")));
        assertEquals("2001:db8::/32", Cidr.parse("2001:0db8:0:0::/32").toString());
    }
}
