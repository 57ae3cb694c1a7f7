package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class CidrTest {
    private static boolean contains(Cidr c, String address) {
        return c.contains(Inet.of(address));
    }

    @Test
    void ipv4NetworkAndItsEdges() {
        Cidr c = Cidr.parse("192.0.2.0/24");
        assertEquals("192.0.2.0/24", c.toString());
        assertEquals(4, c.addressLength());
        assertEquals(24, c.prefixLength());
        assertEquals(Inet.of("192.0.2.0"), c.network());
        assertTrue(contains(c, "192.0.2.0"));
        assertTrue(contains(c, "192.0.2.255"));
        assertFalse(contains(c, "192.0.1.255"));
        assertFalse(contains(c, "192.0.3.0"));
        assertFalse(contains(c, "2001:db8::1"), "other family");
    }

    @Test
    void prefixNotOnAByteBoundary() {
        Cidr c = Cidr.parse("198.51.100.128/25");
        assertTrue(contains(c, "198.51.100.128"));
        assertTrue(contains(c, "198.51.100.255"));
        assertFalse(contains(c, "198.51.100.127"));
        Cidr v6 = Cidr.parse("2001:db8::/31");
        assertTrue(contains(v6, "2001:db9::1"));
        assertFalse(contains(v6, "2001:dba::1"));
    }

    @Test
    void hostBitsAreCleared() {
        Cidr c = Cidr.parse("192.0.2.77/24");
        assertEquals("192.0.2.0/24", c.toString());
        assertEquals(Cidr.parse("192.0.2.0/24"), c);
        assertEquals(Cidr.parse("192.0.2.0/24").hashCode(), c.hashCode());
        assertEquals(Inet.of("2001:db8::"), Cidr.parse("2001:db8::ffff/32").network());
        assertEquals(Cidr.parse("203.0.113.0/28"), Cidr.of(Inet.of("203.0.113.9"), 28));
    }

    @Test
    void bareAddressIsOneHost() {
        Cidr v4 = Cidr.parse(" 203.0.113.5 ");
        assertEquals(32, v4.prefixLength());
        assertTrue(contains(v4, "203.0.113.5"));
        assertFalse(contains(v4, "203.0.113.4"));
        Cidr v6 = Cidr.parse("2001:db8::5");
        assertEquals(128, v6.prefixLength());
        assertTrue(contains(v6, "2001:db8::5"));
        assertFalse(contains(v6, "2001:db8::4"));
    }

    @Test
    void zeroPrefixHoldsTheWholeFamily() {
        assertTrue(contains(Cidr.parse("0.0.0.0/0"), "203.0.113.1"));
        assertTrue(contains(Cidr.parse("::/0"), "2001:db8::1"));
        assertFalse(contains(Cidr.parse("::/0"), "203.0.113.1"));
        assertEquals("0.0.0.0/0", Cidr.parse("192.0.2.1/0").toString());
    }

    @Test
    void ipv6Edges() {
        Cidr c = Cidr.parse("2001:db8:1::/48");
        assertEquals(16, c.addressLength());
        assertTrue(contains(c, "2001:db8:1::"));
        assertTrue(contains(c, "2001:db8:1:ffff:ffff:ffff:ffff:ffff"));
        assertFalse(contains(c, "2001:db8:2::"));
        Cidr p127 = Cidr.parse("2001:db8::1/127");
        assertTrue(contains(p127, "2001:db8::"));
        assertTrue(contains(p127, "2001:db8::1"));
        assertFalse(contains(p127, "2001:db8::2"));
    }

    @Test
    void containsInPlaceInsideABuffer() {
        byte[] buf = {9, 9, (byte) 192, 0, 2, 44, 9};
        Cidr c = Cidr.parse("192.0.2.0/24");
        assertTrue(c.contains(buf, 2, 4));
        assertFalse(c.contains(buf, 1, 4));
        assertFalse(c.contains(buf, 2, 16), "length decides the family");
    }

    @Test
    void covers() {
        Cidr wide = Cidr.parse("192.0.2.0/24");
        assertTrue(wide.covers(Cidr.parse("192.0.2.128/25")));
        assertTrue(wide.covers(wide));
        assertFalse(Cidr.parse("192.0.2.128/25").covers(wide));
        assertFalse(wide.covers(Cidr.parse("198.51.100.0/25")));
        assertFalse(Cidr.parse("::/0").covers(wide));
    }

    @Test
    void badInputsSayHowToWriteIt() {
        for (String bad : new String[] {"192.0.2.0/33", "2001:db8::/129", "192.0.2.0/-1", "192.0.2.0/", "192.0.2.0/+8",
                "192.0.2.0/x", "192.0.2/24", "localhost/8", "example.invalid", "", "300.0.0.0/8"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("192.0.2.0/40")).getMessage().contains("0..32"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("2001:db8::/200")).getMessage().contains("0..128"));
    }
}
