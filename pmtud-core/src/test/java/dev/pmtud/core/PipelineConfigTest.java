package dev.pmtud.core;

import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.list;
import static dev.pmtud.testkit.Cfg.map;
import static dev.pmtud.testkit.Cfg.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.NflogGroup;
import dev.pmtud.api.Source;
import dev.pmtud.testkit.MemorySource;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Configuration mistakes are refused at build time with file:line, what is wrong and what is allowed. */
class PipelineConfigTest {
    private static final PluginRegistry REGISTRY = NodeRuntimeTest.REGISTRY;

    /** A valid configuration around the given extra top-level entries. */
    private static ConfigNode withSources(Object... extra) {
        Object[] kv = new Object[extra.length + 4];
        kv[0] = "node";
        kv[1] = "node-a";
        kv[2] = "sources";
        kv[3] = list(2, block(3, "memory"));
        System.arraycopy(extra, 0, kv, 4, extra.length);
        return map(1, kv);
    }

    private static ConfigException refused(ConfigNode root) {
        return assertThrows(ConfigException.class, () -> NodeRuntime.builder(root, REGISTRY).build().close());
    }

    private static void assertLocated(ConfigException e, int line, String... fragments) {
        assertTrue(e.getMessage().startsWith("pmtud.yaml:" + line + ": "), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void unknownTopLevelKeySuggestsTheClosestAndListsAllowed() {
        ConfigException e = refused(withSources("filter", list(7, block(8, "dedup"))));
        assertLocated(e, 7, "unknown top-level key 'filter'", "did you mean 'filters'?",
                "allowed: cluster, filters, metrics, node, peers, pipelines, rules, sinks, sources");
    }

    @Test
    void unknownTypeListsTheKnownTypesOfItsKind() {
        ConfigException e = refused(withSources("filters", list(4, block(5, "dedup"), block(6, "dedupe"))));
        assertLocated(e, 6, "filters[1]", "unknown filter type 'dedupe'", "did you mean 'dedup'?",
                "known filter types: dedup, exclude-networks, mtu-range, rate-limit");
        ConfigException sink = refused(withSources("sinks", list(4, block(9, "raww"))));
        assertLocated(sink, 9, "unknown sink type 'raww'", "known sink types: log");
    }

    @Test
    void missingTypeIsRefused() {
        ConfigException e = refused(withSources("filters", list(4, map(5, "window", "1s"))));
        assertLocated(e, 5, "'type' is required", "known filter types:");
    }

    @Test
    void unknownKeyInABlockSuggestsTheClosest() {
        ConfigException e = refused(withSources("filters", list(4, map(5, "type", "dedup", "windw", s(6, "1s")))));
        assertLocated(e, 6, "unknown key 'windw'", "did you mean 'window'?", "allowed: max-entries, name, window");
    }

    @Test
    void badCidrBadRateBadDurationAndMinAboveMaxAreLocated() {
        assertLocated(refused(withSources("filters", list(4, block(5, "exclude-networks",
                "networks", list(6, s(7, "198.51.100.0/24"), s(8, "198.51.100.0/40")))))), 8, "198.51.100.0/40");
        assertLocated(refused(withSources("filters", list(4, block(5, "rate-limit", "per-source", s(9, "5 per second"))))),
                9, "per-source", "10/s");
        assertLocated(refused(withSources("filters", list(4, block(5, "dedup", "window", s(10, "soon"))))),
                10, "window", "500ms");
        assertLocated(refused(withSources("filters", list(4, block(5, "mtu-range", "min", s(11, "2000"), "max", "1500")))),
                11, "min <= max");
    }

    @Test
    void sourcesAreRequiredUnlessReplaced() {
        ConfigNode none = map(1, "node", "node-a", "filters", list(2, block(3, "dedup")));
        assertLocated(refused(none), 1, "no sources", "sources:");
        ConfigNode empty = map(1, "node", "node-a", "sources", list(4));
        assertLocated(refused(empty), 4, "no sources");
        try (NodeRuntime p = NodeRuntime.builder(none, REGISTRY)
                .replaceSources(List.of(new MemorySource(List.of(), false))).build()) {
            assertEquals(List.of("replay"), NodeRuntimeTest.main(p).sourceNames());
        }
    }

    @Test
    void badMetricsBlockIsLocated() {
        assertLocated(refused(withSources("metrics", map(5, "listen", s(6, "30040")))), 6, "host:port", "0.0.0.0:30040");
        assertLocated(refused(withSources("metrics", map(5, "listen", s(7, "0.0.0.0:70000")))), 7, "host:port");
        assertLocated(refused(withSources("metrics", map(5, "port", s(8, "9100")))), 8, "unknown key 'port'", "enabled, go-pmtud, health-listen, listen");
        assertLocated(refused(withSources("metrics", map(5, "enabled", s(9, "maybe")))), 9, "true or false");
    }

    @Test
    void badPeerAddressIsLocated() {
        ConfigException e = refused(withSources("peers", list(4, block(5, "static",
                "addresses", list(6, s(6, "198.51.100.20"), s(7, "node-2"))))));
        assertLocated(e, 7, "node-2", "not an IP address");
    }

    @Test
    void duplicateAndBadNamesAreRefused() {
        assertLocated(refused(withSources("filters", list(4, block(5, "dedup", "name", "d"),
                block(6, "rate-limit", "name", s(7, "d"))))), 7, "name 'd' is already used by filters[0]");
        assertLocated(refused(withSources("filters", list(4, block(5, "dedup", "name", s(8, "has space"))))),
                8, "letters, digits");
    }

    @Test
    void namesDefaultToTheTypeAndAreNumberedWhenRepeated() {
        ConfigNode root = withSources("filters", list(4, block(5, "dedup"), block(6, "dedup"),
                block(7, "rate-limit", "name", "dedup-3"), block(8, "dedup")));
        try (NodeRuntime p = NodeRuntime.builder(root, REGISTRY).build()) {
            assertEquals(List.of("dedup", "dedup-2", "dedup-3", "dedup-4"), NodeRuntimeTest.main(p).filterLabels());
        }
    }

    @Test
    void settingsHaveDefaultsAndReadListenAddresses() throws Exception {
        NodeSettings defaults = NodeSettings.from(map(1, "sources", list(2, block(3, "memory"))));
        assertFalse(defaults.nodeName().isBlank(), "node defaults to the host name");
        assertTrue(defaults.metricsEnabled());
        assertEquals(30040, defaults.metricsListen().getPort());
        assertTrue(defaults.metricsListen().getAddress().isAnyLocalAddress());
        assertEquals(null, defaults.rules());
        assertEquals(List.of(), defaults.clusterNetworks());

        NodeSettings set = NodeSettings.from(withSources("metrics", map(5, "enabled", "false", "listen", "[::1]:9100"),
                "rules", map(6, "manage", "false")));
        assertEquals("node-a", set.nodeName());
        assertFalse(set.metricsEnabled());
        assertEquals(9100, set.metricsListen().getPort());
        assertEquals(InetAddress.getByName("::1"), set.metricsListen().getAddress());
        assertEquals(6, set.rules().line());
        assertEquals(null, set.healthListen(), "no health port unless asked for");
        assertFalse(set.goPmtudMetrics());

        NodeSettings health = NodeSettings.from(withSources("metrics", map(5, "listen", ":30040", "health-listen", ":30041",
                "go-pmtud", "true")));
        assertTrue(health.metricsListen().getAddress().isAnyLocalAddress(), "':30040' is every address, as in Go");
        assertEquals(30041, health.healthListen().getPort());
        assertTrue(health.healthListen().getAddress().isAnyLocalAddress());
        assertTrue(health.goPmtudMetrics());
        assertLocated(refused(withSources("metrics", map(5, "health-listen", s(6, "30041")))), 6, "'health-listen' is '30041'");
    }

    @Test
    void rulesMustBeAMap() {
        assertLocated(refused(withSources("rules", list(9, "manage"))), 9, "rules must be a map");
    }

    @Test
    void clusterNetworksJoinTheClusterBlockWhatFiltersExcludeAndWhatTheCallerAdds() {
        ConfigNode filters = list(4, block(5, "exclude-networks", "networks", list(5, "198.51.100.0/24")), block(6, "exclude-networks"));
        ConfigNode root = withSources("filters", filters,
                "cluster", map(7, "networks", list(8, "192.0.2.0/24", "198.51.100.0/24")),
                "rules", map(9, "manage", "true", "exclude-sources", list(10, "203.0.113.0/24")));
        List<Cidr> expected = List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("198.51.100.0/24"), Cidr.parse("2001:db8::/32"));
        try (NodeRuntime p = NodeRuntime.builder(root, REGISTRY).clusterNetworks(List.of(Cidr.parse("2001:db8::/32"))).build()) {
            assertEquals(expected, p.clusterNetworks(), "each once, cluster first; the app's rules keys are not the core's to read");
            assertEquals(expected, NodeRuntimeTest.main(p).context().excludedNetworks());
            assertEquals(List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("198.51.100.0/24")), p.settings().clusterNetworks());
        }
        // Today's spelling alone: the filter's own networks are the cluster's.
        try (NodeRuntime p = NodeRuntime.builder(withSources("filters", list(4, block(5, "exclude-networks",
                "networks", list(5, "198.51.100.0/24")))), REGISTRY).build()) {
            assertEquals(List.of(Cidr.parse("198.51.100.0/24")), p.clusterNetworks());
        }
    }

    @Test
    void aPipelineReportsTheNflogGroupsItsSourcesRead() {
        Source nflog = org.mockito.Mockito.mock(Source.class);
        org.mockito.Mockito.when(nflog.nflogGroup()).thenReturn(Optional.of(new NflogGroup(34, false, true)));
        Source other = org.mockito.Mockito.mock(Source.class);
        org.mockito.Mockito.when(other.nflogGroup()).thenReturn(Optional.empty());
        try (NodeRuntime p = NodeRuntime.builder(withSources(), REGISTRY).replaceSources(List.of(other, nflog)).build()) {
            assertEquals(Map.of("replay-2", new NflogGroup(34, false, true)), NodeRuntimeTest.main(p).nflogGroups());
        }
    }

    @Test
    void badClusterBlockIsLocated() {
        assertLocated(refused(withSources("cluster", list(5, "10.0.0.0/8"))), 5, "cluster must be a map", "{ networks: [10.0.0.0/8] }");
        assertLocated(refused(withSources("cluster", map(5, "network", s(6, "10.0.0.0/8")))), 6,
                "cluster: unknown key 'network'", "did you mean 'networks'?", "allowed: addresses, networks");
        assertLocated(refused(withSources("cluster", map(5, "networks", list(6)))), 6, "cluster: 'networks' is empty",
                "like [10.0.0.0/8, 2001:db8::/32]");
        assertLocated(refused(withSources("cluster", map(5, "networks", list(6, s(6, "10.0.0.0/8"), s(7, "10.0.0.0/40"))))), 7,
                "10.0.0.0/40");
        assertLocated(refused(map(1, "pipelines", list(4, map(5, "name", "a",
                "cluster", map(6, "networks", list(6, "10.0.0.0/8")), "sources", list(7, block(7, "memory")))))), 6,
                "'cluster' is shared by every pipeline");
    }

    @Test
    void anExcludeNetworksFilterWithoutNetworksNeedsTheClusters() {
        assertLocated(refused(withSources("filters", list(4, block(5, "exclude-networks")))), 5,
                "filters[0] (exclude-networks): 'networks' is required when the configuration has no cluster networks",
                "cluster: { networks: [10.0.0.0/8] }");
    }

    @Test
    void aComponentCanReadItsResolvedName() {
        ConfigNode root = withSources("filters", list(4, block(5, "dedup"), block(6, "dedup")));
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (NodeRuntime p = NodeRuntime.builder(root, REGISTRY).meterRegistry(meters).build()) {
            assertEquals(2, meters.find("pmtud_dedup_entries").gauges().size());
            assertTrue(meters.find("pmtud_dedup_entries").tag("filter", "dedup-2").gauge() != null);
        }
    }

    @Test
    void aComponentWithItsOwnNameKeyKeepsItAndIsLabelledByItsType() {
        // The dns provider's `name` is the DNS name to resolve, longer than a label may be.
        String dnsName = "pmtud-peers-of-a-rather-large-cluster-in-a-long-namespace-name.kube-system.svc.cluster.local";
        ConfigNode root = withSources("peers", list(4,
                block(5, "dns", "name", dnsName, "server", "127.0.0.1:53"),
                block(6, "dns", "name", "other.example.")));
        List<ComponentBlock> blocks = ComponentBlocks.peers(root, REGISTRY);
        assertEquals(List.of("dns", "dns-2"), blocks.stream().map(ComponentBlock::name).toList());
        assertEquals(dnsName, blocks.get(0).config().string("name"));
        assertEquals("other.example.", blocks.get(1).config().string("name"));
    }

    // ---- pipelines: ----

    /** {@code pipelines:} at line 2 holding the given items. */
    private static ConfigNode withPipelines(Object... items) {
        return map(1, "node", "node-a", "pipelines", list(2, items));
    }

    /** A valid pipeline item at {@code line}: { name: NAME, sources: [memory] }. */
    private static ConfigNode item(int line, String name) {
        return map(line, "name", s(line, name), "sources", list(line + 1, block(line + 1, "memory")));
    }

    @Test
    void theSingleFormIsOnePipelineNamedMainAndTheListFormNamesEach() {
        try (NodeRuntime single = NodeRuntime.builder(withSources(), REGISTRY).build()) {
            assertEquals(List.of("main"), single.pipelines().stream().map(Pipeline::name).toList());
            assertEquals("main", single.pipelines().get(0).context().pipelineName());
        }
        assertEquals(List.of("main"), PipelineConfig.names(withSources()));
        ConfigNode two = withPipelines(item(3, "replicate"), item(5, "receive-2"));
        assertEquals(List.of("replicate", "receive-2"), PipelineConfig.names(two));
        try (NodeRuntime rt = NodeRuntime.builder(two, REGISTRY).build()) {
            assertEquals(List.of("replicate", "receive-2"), rt.pipelines().stream().map(Pipeline::name).toList());
        }
    }

    @Test
    void aPipelineNameIsRequiredAndLowerCaseLettersDigitsAndDashes() {
        assertLocated(refused(withPipelines(map(3, "sources", list(4, block(4, "memory"))))), 3,
                "pipelines[0]: 'name' is required", "lower-case letters, digits and '-'");
        for (String bad : List.of("Replicate", "-relay", "relay_1", "re lay", "relay.a")) {
            assertLocated(refused(withPipelines(item(3, "ok"), item(5, bad))), 5,
                    "pipelines[1]: name '" + bad + "' is not allowed", "lower-case letters, digits and '-', starting with a letter or digit");
        }
    }

    @Test
    void duplicatePipelineNamesAreRefusedNamingTheFirst() {
        assertLocated(refused(withPipelines(item(3, "relay"), item(5, "other"), item(7, "relay"))), 7,
                "pipelines[2]: name 'relay' is already used by the pipeline at line 3", "pipeline names must be unique");
    }

    @Test
    void mixingBothFormsNamesBothLines() {
        ConfigNode mixed = map(1, "node", "node-a", "pipelines", list(2, item(3, "relay")),
                "filters", list(9, block(9, "dedup")));
        assertLocated(refused(mixed), 9, "filters: at the top level (line 9) and pipelines: (line 2) do not mix",
                "move filters into an item of pipelines:", "single-pipeline form");
    }

    @Test
    void pipelineItemsTakeOnlyTheirKeys() {
        assertLocated(refused(withPipelines(map(3, "name", "relay", "source", list(4, block(4, "memory"))))), 4,
                "pipelines[0]: unknown key 'source'", "did you mean 'sources'?", "allowed: filters, name, sinks, sources");
        assertLocated(refused(withPipelines(map(3, "name", "relay", "type", s(5, "x")))), 5,
                "pipelines[0]: unknown key 'type'", "allowed: filters, name, sinks, sources");
        assertLocated(refused(withPipelines(map(3, "name", "relay", "peers", list(6, block(6, "static"))))), 6,
                "pipelines[0]: 'peers' is shared by every pipeline; write it at the top level");
        assertLocated(refused(map(1, "pipelines", list(2))), 2, "pipelines must be a list of { name: NAME", "not an empty list");
        assertLocated(refused(map(1, "pipelines", map(2, "name", "x"))), 2, "pipelines must be a list", "not a map");
        assertLocated(refused(withPipelines(s(3, "relay"))), 3, "pipelines[0] must be a map like { name: NAME");
        assertLocated(refused(withPipelines(item(3, "relay"), map(5, "name", "empty"))), 5, "pipeline empty has no sources",
                "add at least one under sources:");
    }

    @Test
    void labelsAreUniqueWithinTheirPipelineOnly() {
        ConfigNode sameLabelTwoPipelines = withPipelines(
                map(3, "name", "a", "sources", list(4, block(4, "memory")), "filters", list(5, block(5, "dedup", "name", "d"))),
                map(6, "name", "b", "sources", list(7, block(7, "memory")), "filters", list(8, block(8, "dedup", "name", "d"))));
        try (NodeRuntime rt = NodeRuntime.builder(sameLabelTwoPipelines, REGISTRY).build()) {
            assertEquals(List.of(List.of("d"), List.of("d")), rt.pipelines().stream().map(Pipeline::filterLabels).toList());
        }
        ConfigNode twiceInOne = withPipelines(item(3, "a"),
                map(6, "name", "b", "sources", list(7, block(7, "memory")),
                        "filters", list(8, block(8, "dedup", "name", "d"), block(9, "rate-limit", "name", s(9, "d")))));
        assertLocated(refused(twiceInOne), 9, "pipeline b, filters[1] (rate-limit): name 'd' is already used by filters[0]",
                "names must be unique within the filters of pipeline b");
    }

    @Test
    void aComponentErrorInsideAPipelineNamesThePipeline() {
        ConfigNode root = withPipelines(item(3, "a"),
                map(6, "name", "b", "sources", list(7, block(7, "memory")),
                        "filters", list(8, map(8, "type", "dedup", "windw", s(9, "1s")))));
        assertLocated(refused(root), 9, "pipeline b, filters[0] (dedup): unknown key 'windw'", "did you mean 'window'?",
                "allowed: max-entries, name, window");
    }
}
