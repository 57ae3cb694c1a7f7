package dev.pmtud.core.filter;

import static dev.pmtud.testkit.Packets.T0;
import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.list;
import static dev.pmtud.testkit.Cfg.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Filter;
import dev.pmtud.api.Verdict;
import dev.pmtud.testkit.Packets;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExcludeNetworksFilterTest {
    private final Filter filter = FilterFactories.create(new ExcludeNetworksFilterFactory(),
            block(1, "exclude-networks", "networks", list(2, "198.51.100.0/24", "2001:db8:aa::/48")));

    @Test
    void dropsIpv4SourcesInsideAndPassesOthers() {
        Verdict inside = filter.apply(Packets.of(Ptb.v4().from("198.51.100.77"), T0));
        assertTrue(inside.isDrop());
        assertEquals(ExcludeNetworksFilter.EXCLUDED, inside.reason());
        assertEquals(Verdict.PASS, filter.apply(Packets.of(Ptb.v4().from("198.51.101.1"), T0)));
    }

    @Test
    void dropsIpv6SourcesInsideAndPassesOthers() {
        assertTrue(filter.apply(Packets.of(Ptb.v6().from("2001:db8:aa:1::9"), T0)).isDrop());
        assertEquals(Verdict.PASS, filter.apply(Packets.of(Ptb.v6().from("2001:db8:ab::9"), T0)));
    }

    @Test
    void looksAtTheOuterSourceNotTheEmbeddedFlow() {
        Ptb fromRouterAboutExcludedFlow = Ptb.v4().from("203.0.113.1").tcp("198.51.100.5", 443, "198.51.100.6", 5000);
        assertEquals(Verdict.PASS, filter.apply(Packets.of(fromRouterAboutExcludedFlow, T0)));
    }

    @Test
    void withoutNetworksItExcludesTheClustersAndDeclaresNone() {
        List<Cidr> cluster = List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8:bb::/48"));
        ConfigNode bare = block(1, "exclude-networks");
        Filter f = FilterFactories.create(new ExcludeNetworksFilterFactory(), bare, new TestContext().excluding(cluster));
        assertTrue(f.apply(Packets.of(Ptb.v4().from("192.0.2.9"), T0)).isDrop());
        assertTrue(f.apply(Packets.of(Ptb.v6().from("2001:db8:bb::9"), T0)).isDrop());
        assertEquals(Verdict.PASS, f.apply(Packets.of(Ptb.v4().from("198.51.100.77"), T0)));
        ComponentConfig config = new ComponentConfig(bare, "filters[0] (exclude-networks)");
        assertEquals(List.of(), new ExcludeNetworksFilterFactory().excludedNetworks(config), "the cluster's are not its own to declare");
    }

    @Test
    void itsOwnNetworksAreDeclaredAsTheClusters() {
        ComponentConfig config = new ComponentConfig(block(1, "exclude-networks", "networks", list(2, "198.51.100.0/24")),
                "filters[0] (exclude-networks)");
        assertEquals(List.of(Cidr.parse("198.51.100.0/24")), new ExcludeNetworksFilterFactory().excludedNetworks(config));
    }

    @Test
    void refusesAnEmptyList() {
        ConfigException e = assertThrows(ConfigException.class, () -> FilterFactories.create(
                new ExcludeNetworksFilterFactory(), block(4, "exclude-networks", "networks", list(5))));
        assertTrue(e.getMessage().startsWith("pmtud.yaml:5: "), e.getMessage());
        assertTrue(e.getMessage().contains("networks"), e.getMessage());
    }

    @Test
    void refusesABadCidrNamingItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> FilterFactories.create(
                new ExcludeNetworksFilterFactory(),
                block(4, "exclude-networks", "networks", list(5, s(6, "192.0.2.0/24"), s(7, "192.0.2.0/33")))));
        assertTrue(e.getMessage().startsWith("pmtud.yaml:7: "), e.getMessage());
        assertTrue(e.getMessage().contains("192.0.2.0/33"), e.getMessage());
    }
}
