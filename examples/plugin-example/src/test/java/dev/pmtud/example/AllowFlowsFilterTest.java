package dev.pmtud.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import dev.pmtud.testkit.AllocationCheck;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class AllowFlowsFilterTest {

    static Filter filter(Object... keyAndValues) {
        for (FilterFactory f : ServiceLoader.load(FilterFactory.class)) {
            if (f.type().equals("allow-flows")) {
                // { type: allow-flows, key: [values...] ... }; each key on its own line from line 2
                ComponentConfig c = Cfg.component("filters", "allow-flows", keyAndValues);
                c.checkKeys(f.keys());
                return f.create(c, new TestContext("test"));
            }
        }
        throw new AssertionError("allow-flows is not registered in META-INF/services/dev.pmtud.api.FilterFactory");
    }

    static Packet packet(Ptb ptb) {
        byte[] l3 = ptb.build();
        Packet p = new Packet().wrap(l3, 0, l3.length, LinkType.RAW, 1L);
        assertTrue(p.decode(), "the test's own message must be valid: " + p.invalidReason());
        return p;
    }

    static Verdict verdict(Filter f, Ptb ptb) {
        return f.apply(packet(ptb));
    }

    @Test
    void sourcesAloneMatchTheEmbeddedSourceAddressBothFamilies() {
        Filter f = filter("sources", List.of("192.0.2.0/28", "2001:db8:1::/64"));
        assertEquals(Verdict.PASS, verdict(f, Ptb.v4().tcp("192.0.2.15", 443, "198.51.100.7", 51000)));
        assertEquals("source-not-allowed", verdict(f, Ptb.v4().tcp("192.0.2.16", 443, "198.51.100.7", 51000)).reason());
        assertEquals(Verdict.PASS, verdict(f, Ptb.v6().tcp("2001:db8:1::10", 443, "2001:db8:2::7", 51000)));
        assertEquals("source-not-allowed", verdict(f, Ptb.v6().tcp("2001:db8:3::10", 443, "2001:db8:2::7", 51000)).reason());
        // The embedded *destination* (the client) does not count, nor does the outer source (the router).
        assertEquals("source-not-allowed",
                verdict(f, Ptb.v4().from("192.0.2.1").tcp("198.51.100.7", 51000, "192.0.2.10", 443)).reason());
        assertEquals(List.of("source-not-allowed"), List.copyOf(f.dropReasons()));
    }

    @Test
    void portsAloneMatchTheEmbeddedSourcePortOfTcpAndUdp() {
        Filter f = filter("ports", List.of(443, 8443));
        assertEquals(Verdict.PASS, verdict(f, Ptb.v4().tcp("203.0.113.9", 443, "198.51.100.7", 51000)));
        assertEquals(Verdict.PASS, verdict(f, Ptb.v6().udp("2001:db8:1::10", 8443, "2001:db8:2::7", 443)));
        assertEquals("port-not-allowed", verdict(f, Ptb.v4().tcp("192.0.2.10", 80, "198.51.100.7", 443)).reason());
        assertEquals("no-ports", verdict(f, Ptb.v4().flow(1, "192.0.2.10", 443, "198.51.100.7", 0)).reason(),
                "an embedded ICMP packet has no port, whatever its first bytes are");
        assertTrue(f.dropReasons().containsAll(List.of("port-not-allowed", "no-ports")));
    }

    @Test
    void matchAllNeedsBothMatchAnyNeedsEither() {
        Ptb both = Ptb.v4().tcp("192.0.2.10", 443, "198.51.100.7", 51000);
        Ptb addressOnly = Ptb.v4().tcp("192.0.2.10", 22, "198.51.100.7", 51000);
        Ptb portOnly = Ptb.v4().tcp("192.0.2.99", 443, "198.51.100.7", 51000);
        Ptb neither = Ptb.v4().tcp("192.0.2.99", 22, "198.51.100.7", 51000);

        Filter all = filter("sources", "192.0.2.10", "ports", 443);
        assertEquals(Verdict.PASS, verdict(all, both));
        assertEquals("port-not-allowed", verdict(all, addressOnly).reason());
        assertEquals("source-not-allowed", verdict(all, portOnly).reason());
        assertEquals("source-not-allowed", verdict(all, neither).reason());

        Filter any = filter("sources", "192.0.2.10", "ports", 443, "match", "any");
        assertEquals(Verdict.PASS, verdict(any, both));
        assertEquals(Verdict.PASS, verdict(any, addressOnly));
        assertEquals(Verdict.PASS, verdict(any, portOnly));
        assertEquals("flow-not-allowed", verdict(any, neither).reason());
        assertEquals(List.of("flow-not-allowed"), List.copyOf(any.dropReasons()));
    }

    @Test
    void dropVerdictsAreSharedAndNothingIsAllocatedPerPacket() {
        Filter f = filter("sources", List.of("198.51.100.0/24", "192.0.2.0/24"), "ports", List.of(443));
        Packet pass = packet(Ptb.v4().tcp("192.0.2.10", 443, "198.51.100.7", 51000));
        Packet drop = packet(Ptb.v6().tcp("2001:db8:1::10", 443, "2001:db8:2::7", 51000));
        assertTrue(f.apply(drop) == f.apply(drop), "the same drop instance every time");

        int[] drops = {0};
        // the testkit's probe: runs the loop twice to warm up (compiled code), then measures a third run
        long allocated = AllocationCheck.bytesAllocated((from, to) -> {
            for (int i = from; i < to; i++) {
                drops[0] += f.apply((i & 1) == 0 ? pass : drop).isDrop() ? 1 : 0;
            }
        }, 100_000);
        assertEquals(150_000, drops[0], "every second packet dropped");
        assertTrue(allocated < 64 * 1024, "100000 decisions allocated " + allocated + " bytes; one object each would be >= 1.6 MB");
    }

    @Test
    void configurationMistakesAreLocatedAndSayWhatIsAllowed() {
        ConfigException none = assertThrows(ConfigException.class, () -> filter());
        assertTrue(none.getMessage().contains("'sources' and 'ports' are both empty"), none.getMessage());

        ConfigException port = assertThrows(ConfigException.class, () -> filter("sources", "192.0.2.0/24", "ports", List.of(443, 70000)));
        assertEquals(3, port.line());
        assertTrue(port.getMessage().contains("'70000'") && port.getMessage().contains("1 to 65535"), port.getMessage());

        ConfigException cidr = assertThrows(ConfigException.class, () -> filter("sources", List.of("192.0.2.0/33")));
        assertEquals(2, cidr.line());
        assertTrue(cidr.getMessage().contains("prefix"), cidr.getMessage());

        ConfigException match = assertThrows(ConfigException.class, () -> filter("ports", 443, "match", "some"));
        assertTrue(match.getMessage().contains("allowed: all, any"), match.getMessage());

        ConfigException key = assertThrows(ConfigException.class, () -> filter("port", 443));
        assertTrue(key.getMessage().contains("did you mean 'ports'"), key.getMessage());
    }
}
