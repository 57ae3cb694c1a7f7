package dev.pmtud.core.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.PeerListener;
import dev.pmtud.core.MicrometerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MergedPeerSetTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MicrometerMetrics metrics = new MicrometerMetrics(meters, "node-a");

    private static InetAddress ip(String literal) {
        return dev.pmtud.api.Values.parseAddress(literal);
    }

    private static Set<InetAddress> ips(String... literals) {
        Set<InetAddress> s = new java.util.LinkedHashSet<>();
        for (String l : literals) {
            s.add(ip(l));
        }
        return s;
    }

    @Test
    void mergesEveryProvidersLatestSet() {
        MergedPeerSet peers = new MergedPeerSet(metrics, Set::of);
        PeerListener a = peers.listener("a");
        PeerListener b = peers.listener("b");
        a.peersChanged(ips("198.51.100.2", "198.51.100.3"));
        b.peersChanged(ips("198.51.100.3", "2001:db8::4"));
        assertEquals(ips("198.51.100.2", "198.51.100.3", "2001:db8::4"), peers.current());
        a.peersChanged(ips("198.51.100.5"));
        assertEquals(ips("198.51.100.5", "198.51.100.3", "2001:db8::4"), peers.current(), "a's set is replaced, not added to");
        assertEquals(3.0, meters.get("pmtud_peers").tag("node", "node-a").gauge().value());
    }

    @Test
    void removesThisNodesOwnAddresses() {
        MergedPeerSet peers = new MergedPeerSet(metrics, new OwnAddresses());
        peers.listener("static").peersChanged(ips("127.0.0.1", "::1", "198.51.100.20"));
        assertEquals(ips("198.51.100.20"), peers.current());
    }

    @Test
    void aFailedRefreshKeepsTheLastGoodSetAndIsCounted() {
        MergedPeerSet peers = new MergedPeerSet(metrics, Set::of);
        PeerListener dns = peers.listener("dns");
        dns.peersChanged(ips("198.51.100.7"));
        dns.refreshFailed("timeout", "no answer from 192.0.2.53 within 2s");
        dns.refreshFailed("timeout", "no answer again");
        assertEquals(ips("198.51.100.7"), peers.current());
        assertEquals(2.0, meters.get("pmtud_peer_refresh_failures_total")
                .tags("provider", "dns", "reason", "timeout", "node", "node-a").counter().count());
    }

    @Test
    void listenersGetEachNewImmutableSnapshot() {
        MergedPeerSet peers = new MergedPeerSet(metrics, Set::of);
        List<Set<InetAddress>> seen = new ArrayList<>();
        peers.addListener(seen::add);
        PeerListener a = peers.listener("a");
        a.peersChanged(ips("198.51.100.2"));
        a.peersChanged(ips("198.51.100.2"));
        a.peersChanged(ips("198.51.100.2", "198.51.100.3"));
        assertEquals(List.of(ips("198.51.100.2"), ips("198.51.100.2", "198.51.100.3")), seen, "only changes are reported");
        assertThrows(UnsupportedOperationException.class, () -> peers.current().add(ip("198.51.100.9")));
    }

    @Test
    void awaitsFirstReportsAndNamesTheSilentOnes() throws Exception {
        MergedPeerSet peers = new MergedPeerSet(metrics, Set::of);
        peers.listener("quick").refreshFailed("unreachable", "connection refused");
        peers.listener("silent");
        assertEquals(List.of("silent"), peers.awaitFirstReports(List.of("quick", "silent"), Duration.ofMillis(20)));
        Thread reporter = new Thread(() -> peers.listener("silent").peersChanged(ips("198.51.100.4")));
        reporter.start();
        assertEquals(List.of(), peers.awaitFirstReports(List.of("quick", "silent"), Duration.ofSeconds(10)));
        reporter.join();
        assertTrue(peers.hasReported("silent"));
    }

    @Test
    void theClusterAddressesKeepOwnAddressesAndAreCountedApart() {
        MergedPeerSet peers = MergedPeerSet.peers(metrics, new OwnAddresses());
        MergedPeerSet cluster = MergedPeerSet.clusterAddresses(metrics);
        peers.listener("static").peersChanged(ips("127.0.0.1", "198.51.100.20"));
        PeerListener services = cluster.listener("static", "static", metrics);
        services.peersChanged(ips("127.0.0.1", "198.51.100.30"));
        assertEquals(ips("198.51.100.20"), peers.current());
        assertEquals(ips("127.0.0.1", "198.51.100.30"), cluster.current(), "this node's addresses are the cluster's too");
        assertEquals(2.0, meters.get("pmtud_cluster_addresses").tag("node", "node-a").gauge().value());
        assertEquals(1.0, meters.get("pmtud_peers").tag("node", "node-a").gauge().value());
        services.refreshFailed("forbidden", "cannot list services");
        assertEquals(1.0, meters.get("pmtud_peer_refresh_failures_total")
                .tags("provider", "cluster-addresses/static", "reason", "forbidden", "node", "node-a").counter().count());
        assertTrue(meters.find("pmtud_peer_refresh_failures_total").tags("provider", "static").counters().isEmpty(),
                "a peer provider of the same label counts nothing");
    }
}
