package dev.pmtud.core;

import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.list;
import static dev.pmtud.testkit.Cfg.map;
import static dev.pmtud.testkit.Packets.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Filter;
import dev.pmtud.api.Verdict;
import dev.pmtud.core.ReloadReport.Action;
import dev.pmtud.testkit.Packets;
import dev.pmtud.testkit.Ptb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster.addresses}: providers of the cluster's own service addresses, run like the peer
 * providers (started, reloaded, closed) into a set of their own that the service-addresses filter
 * keeps and the sinks never see.
 */
class ClusterAddressesTest {
    private static final PluginRegistry REGISTRY = NodeRuntimeTest.REGISTRY;
    private static final String NODE = "node-a";
    private static final String SERVICE_A = "198.51.100.20";
    private static final String SERVICE_B = "198.51.100.21";

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** A node with one static cluster-address provider and a filter that keeps nothing but those addresses. */
    private static ConfigNode config(String... addresses) {
        return map(1, "node", NODE,
                "cluster", map(2, "addresses", list(3, block(3, "static", "addresses", List.of(addresses)))),
                "sources", list(4, block(4, "memory")),
                "filters", list(5, block(5, "service-addresses", "peers", "false", "cluster-networks", "false")));
    }

    private NodeRuntimeBuilder builder(ConfigNode root) throws Exception {
        // SERVICE_A is also this node's own address: the peers leave it out, the cluster's addresses must not.
        Set<InetAddress> own = Set.of(InetAddress.getByName(SERVICE_A));
        return NodeRuntime.builder(root, REGISTRY).meterRegistry(meters).ownAddresses(() -> own);
    }

    /** A router's message about a TCP flow the cluster sent from {@code src}. */
    private static Verdict about(Filter f, String src) {
        return f.apply(Packets.of(Ptb.v4().from("203.0.113.1").tcp(src, 443, "203.0.113.77", 40000), T0));
    }

    private static Filter filter(NodeRuntime rt) {
        return NodeRuntimeTest.main(rt).configuredFilters().get(0).filter();
    }

    private double gauge(String name) {
        return meters.get(name).tag("node", NODE).gauge().value();
    }

    @Test
    void theFilterKeepsTheClusterAddressesAndFollowsAReload() throws Exception {
        try (NodeRuntime rt = builder(config(SERVICE_A)).build()) {
            assertTrue(rt.clusterAddresses().current().isEmpty(), "providers are built, not started, before start()");
            rt.start();
            assertEquals(Set.of(InetAddress.getByName(SERVICE_A)), rt.clusterAddresses().current(), "own addresses stay in");
            assertTrue(rt.peers().current().isEmpty(), "the sinks' peers never get the cluster's addresses");
            assertEquals(1.0, gauge("pmtud_cluster_addresses"));
            assertEquals(0.0, gauge("pmtud_peers"));
            Filter before = filter(rt);
            assertEquals(Verdict.PASS, about(before, SERVICE_A));
            Verdict foreign = about(before, SERVICE_B);
            assertTrue(foreign.isDrop());
            assertEquals("foreign-embedded-source", foreign.reason());

            ReloadReport report = rt.prepareReload(builder(config(SERVICE_B))).apply();
            assertTrue(report.ok(), report.toString());
            assertEquals(List.of("static"), report.names("", "cluster.addresses", Action.REPLACED), report.summary());
            assertEquals(List.of("service-addresses"), report.names("main", "filter", Action.KEPT));
            assertSame(before, filter(rt), "the filter is kept and follows the set");
            assertEquals(Set.of(InetAddress.getByName(SERVICE_B)), rt.clusterAddresses().current());
            assertEquals(Verdict.PASS, about(before, SERVICE_B), "the new address");
            assertEquals("foreign-embedded-source", about(before, SERVICE_A).reason(), "the old one");

            ReloadReport same = rt.prepareReload(builder(config(SERVICE_B))).apply();
            assertEquals(List.of("static"), same.names("", "cluster.addresses", Action.KEPT), same.summary());
        }
    }

    private static ConfigNode withListedVip(String address) {
        return map(1, "node", NODE,
                "cluster", map(2, "addresses", list(3, block(3, "static", "addresses", List.of(address)))),
                "sources", list(4, block(4, "memory")),
                "filters", list(5, block(5, "service-addresses", "peers", "false", "cluster-networks", "false",
                        "addresses", List.of("192.0.2.10/32"))));
    }

    @Test
    void aFilterReplacedByAReloadNoLongerListens() throws Exception {
        String serviceC = "198.51.100.22";
        try (NodeRuntime rt = builder(config(SERVICE_A)).build()) {
            rt.start();
            Filter old = filter(rt);
            ReloadReport report = rt.prepareReload(builder(withListedVip(SERVICE_B))).apply();
            assertEquals(List.of("service-addresses"), report.names("main", "filter", Action.REPLACED));
            Filter now = filter(rt);
            assertEquals(Verdict.PASS, about(now, SERVICE_B));
            rt.prepareReload(builder(withListedVip(serviceC))).apply();
            assertSame(now, filter(rt));
            assertEquals(Verdict.PASS, about(now, serviceC), "the running filter follows the set");
            assertEquals("foreign-embedded-source", about(old, serviceC).reason(), "the removed filter was detached from it");
        }
    }

    @Test
    void anUnknownTypeUnderClusterAddressesNamesTheLineAndTheKnownTypes() {
        ConfigNode root = map(1, "node", NODE,
                "cluster", map(2, "networks", List.of("10.0.0.0/8"), "addresses", list(3, block(4, "kubernetes-servics"))),
                "sources", list(5, block(5, "memory")));
        ConfigException e = assertThrows(ConfigException.class, () -> NodeRuntime.builder(root, REGISTRY).build());
        String m = e.getMessage();
        assertTrue(m.startsWith("pmtud.yaml:4: cluster.addresses[0]: unknown peers type 'kubernetes-servics'"), m);
        assertTrue(m.contains("known peers types: dns, file, static"), m);
        assertEquals(1, m.lines().count(), m);
    }

    @Test
    void withoutProvidersAFilterThatKeepsOnlyTheClusterAddressesIsRefused() {
        ConfigNode root = map(1, "node", NODE, "sources", list(2, block(2, "memory")),
                "filters", list(3, block(3, "service-addresses", "peers", "false", "cluster-networks", "false")));
        ConfigException e = assertThrows(ConfigException.class, () -> NodeRuntime.builder(root, REGISTRY).build());
        assertTrue(e.getMessage().startsWith("pmtud.yaml:3: "), e.getMessage());
        assertTrue(e.getMessage().contains("leaves no address to keep"), e.getMessage());
        assertTrue(e.getMessage().contains("cluster.addresses"), e.getMessage());
    }
}
