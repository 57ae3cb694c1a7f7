package dev.pmtud.core.filter;

import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.list;
import static dev.pmtud.testkit.Packets.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.Filter;
import dev.pmtud.api.Verdict;
import dev.pmtud.testkit.Packets;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceAddressesFilterTest {
    private static final ServiceAddressesFilterFactory FACTORY = new ServiceAddressesFilterFactory();

    private static Verdict about(Filter f, Ptb message) {
        return f.apply(Packets.of(message, T0));
    }

    /** A router's message about a flow the cluster sent from {@code src}. */
    private static Ptb v4From(String src) {
        return Ptb.v4().from("203.0.113.1").tcp(src, 443, "198.51.100.77", 40000);
    }

    private static Ptb v6From(String src) {
        return Ptb.v6().from("2001:db8:ffff::1").tcp(src, 443, "2001:db8:eeee::7", 40000);
    }

    @Test
    void keepsFlowsFromListedNetworksAndDropsOthersWithTheReason() {
        Filter f = FilterFactories.create(FACTORY, block(1, "service-addresses",
                "addresses", list(2, "192.0.2.10/32", "10.96.0.0/12", "2001:db8:5::/64"), "cluster-networks", "false"));
        assertEquals(Verdict.PASS, about(f, v4From("192.0.2.10")));
        assertEquals(Verdict.PASS, about(f, v4From("10.100.3.4")));
        assertEquals(Verdict.PASS, about(f, v6From("2001:db8:5::10")));
        Verdict foreign = about(f, v4From("192.0.2.11"));
        assertTrue(foreign.isDrop());
        assertEquals(ServiceAddressesFilter.FOREIGN, foreign.reason());
        assertTrue(about(f, v6From("2001:db8:6::10")).isDrop());
        assertEquals(List.of(ServiceAddressesFilter.FOREIGN), List.copyOf(f.dropReasons()));
    }

    @Test
    void looksAtTheEmbeddedSourceNotTheRouter() {
        Filter f = FilterFactories.create(FACTORY, block(1, "service-addresses", "addresses", list(2, "192.0.2.10/32")));
        // outer source inside the list, embedded source outside: a forgery about someone else's flow
        assertTrue(about(f, Ptb.v4().from("192.0.2.10").tcp("198.51.100.9", 443, "198.51.100.77", 40000)).isDrop());
    }

    @Test
    void followsThePeerSetAndTheClusterNetworks() throws Exception {
        TestContext context = new TestContext().excluding(List.of(Cidr.parse("198.51.100.0/24")))
                .withPeers(List.of(InetAddress.getByName("203.0.113.20"), InetAddress.getByName("2001:db8:7::20")));
        Filter f = FilterFactories.create(FACTORY, block(1, "service-addresses"), context);
        assertEquals(Verdict.PASS, about(f, v4From("198.51.100.5")), "a node address in cluster.networks");
        assertEquals(Verdict.PASS, about(f, v4From("203.0.113.20")), "a peer");
        assertEquals(Verdict.PASS, about(f, v6From("2001:db8:7::20")), "a peer (IPv6)");
        assertTrue(about(f, v4From("203.0.113.21")).isDrop());
        context.setPeers(List.of(InetAddress.getByName("203.0.113.21")));
        assertEquals(Verdict.PASS, about(f, v4From("203.0.113.21")), "a peer that joined");
        assertTrue(about(f, v4From("203.0.113.20")).isDrop(), "a peer that left");
        assertTrue(about(f, v6From("2001:db8:7::20")).isDrop(), "a peer that left (IPv6)");
    }

    @Test
    void followsTheClusterAddressesUnlessTurnedOff() throws Exception {
        TestContext context = new TestContext().withClusterAddresses(List.of(InetAddress.getByName("203.0.113.30")));
        Filter f = FilterFactories.create(FACTORY, block(1, "service-addresses", "peers", "false", "cluster-networks", "false"), context);
        assertEquals(Verdict.PASS, about(f, v4From("203.0.113.30")), "a cluster address");
        assertEquals(ServiceAddressesFilter.FOREIGN, about(f, v4From("203.0.113.31")).reason());
        context.setClusterAddresses(List.of(InetAddress.getByName("203.0.113.31"), InetAddress.getByName("2001:db8:7::31")));
        assertEquals(Verdict.PASS, about(f, v4From("203.0.113.31")), "an address that joined");
        assertEquals(Verdict.PASS, about(f, v6From("2001:db8:7::31")), "an address that joined (IPv6)");
        assertEquals(ServiceAddressesFilter.FOREIGN, about(f, v4From("203.0.113.30")).reason(), "an address that left");

        TestContext off = new TestContext().withClusterAddresses(List.of(InetAddress.getByName("203.0.113.30")));
        Filter without = FilterFactories.create(FACTORY, block(1, "service-addresses", "cluster-addresses", "false"), off);
        assertTrue(about(without, v4From("203.0.113.30")).isDrop(), "cluster-addresses: false ignores them");
        ConfigException nothing = assertThrows(ConfigException.class, () -> FilterFactories.create(FACTORY,
                block(2, "service-addresses", "peers", "false", "cluster-addresses", "false"), off));
        assertTrue(nothing.getMessage().contains("leaves no address to keep"), nothing.getMessage());
        // With cluster addresses to follow, peers: false alone keeps something: accepted.
        FilterFactories.create(FACTORY, block(3, "service-addresses", "peers", "false"), off);
    }

    @Test
    void aTableOfManyPeersFindsEachAndNoOther() throws Exception {
        List<InetAddress> many = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(InetAddress.getByName("2001:db8:" + Integer.toHexString(i * 97) + "::" + Integer.toHexString(i + 1)));
            many.add(InetAddress.getByName("10." + i / 200 + "." + i % 200 + ".1"));
        }
        AddressTable table = AddressTable.of(many);
        assertEquals(600, table.size());
        for (InetAddress a : many) {
            byte[] b = a.getAddress();
            assertTrue(table.contains(b, 0, b.length), a.toString());
        }
        byte[] absent4 = InetAddress.getByName("10.0.0.2").getAddress();
        byte[] absent6 = InetAddress.getByName("2001:db8:61::3").getAddress(); // 2001:db8:61::2 is in it (i = 1)
        assertFalse(table.contains(absent4, 0, 4));
        assertFalse(table.contains(absent6, 0, 16));
    }

    @Test
    void refusesAConfigurationThatKeepsNothing() {
        ConfigException e = assertThrows(ConfigException.class, () -> FilterFactories.create(FACTORY,
                block(4, "service-addresses", "peers", "false")));
        assertTrue(e.getMessage().startsWith("pmtud.yaml:"), e.getMessage());
        assertTrue(e.getMessage().contains("addresses: ["), e.getMessage());
    }
}
