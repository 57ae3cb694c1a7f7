package dev.pmtud.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Values;
import dev.pmtud.sys.SockAddr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerTableTest {

    @Test
    void findsIpv4AsMappedAndIpv6AndNothingElse() {
        List<InetAddress> peers = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            peers.add(Values.parseAddress("192.0.2." + i));
            peers.add(Values.parseAddress("2001:db8::" + Integer.toHexString(i)));
        }
        peers.add(Values.parseAddress("192.0.2.1")); // listed twice: counted once
        PeerTable t = PeerTable.of(peers);
        assertEquals(100, t.size());
        for (InetAddress p : peers) {
            assertTrue(t.contains(SockAddr.mapped(p)), p.toString());
        }
        assertTrue(t.contains(SockAddr.mapped(Values.parseAddress("::ffff:192.0.2.7"))), "a dual-stack socket's form");
        assertFalse(t.contains(SockAddr.mapped(Values.parseAddress("192.0.2.51"))));
        assertFalse(t.contains(SockAddr.mapped(Values.parseAddress("2001:db8::33:1"))));
        assertFalse(t.contains(SockAddr.mapped(Values.parseAddress("::c000:201"))), "IPv4-compatible is not IPv4-mapped");
        assertFalse(PeerTable.EMPTY.contains(SockAddr.mapped(Values.parseAddress("192.0.2.1"))));
    }

    @Test
    void eachPeerCarriesItsOwnValueMadeOnce() {
        List<InetAddress> peers = List.of(Values.parseAddress("192.0.2.1"), Values.parseAddress("2001:db8::1"),
                Values.parseAddress("192.0.2.1"));
        List<InetAddress> made = new ArrayList<>();
        PeerTable t = PeerTable.of(peers, a -> {
            made.add(a);
            return "value of " + Values.formatAddress(a);
        });
        assertEquals(List.of(peers.get(0), peers.get(1)), made, "one value per peer, duplicates not asked again");
        assertEquals("value of 192.0.2.1", t.value(t.slot(SockAddr.mapped(Values.parseAddress("::ffff:192.0.2.1")))));
        assertEquals("value of 2001:db8::1", t.value(t.slot(SockAddr.mapped(Values.parseAddress("2001:db8::1")))));
        assertEquals(-1, t.slot(SockAddr.mapped(Values.parseAddress("192.0.2.2"))));
    }
}
