package dev.pmtud.core;

import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.list;
import static dev.pmtud.testkit.Cfg.map;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PeerListener;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import dev.pmtud.api.Verdict;
import dev.pmtud.testkit.MemorySink;
import dev.pmtud.testkit.MemorySource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The runtime names every component's logger by one rule: dev.pmtud.KIND.PIPELINE.LABEL (peers: dev.pmtud.peers.LABEL). */
class ComponentLoggersTest {
    private final Map<String, String> loggers = new TreeMap<>();

    /** Remembers the logger the component was given, keyed "kind pipeline label". */
    @SuppressWarnings("deprecation")
    private <T> T created(String kind, ComponentConfig config, PipelineContext context, T component) {
        String key = kind + " " + context.pipelineName() + " " + config.string("name");
        loggers.put(key, context.logger().getName());
        assertEquals(context.logger().getName(), context.logger("a name of its own").getName(),
                key + ": the old logger(String) gives the same logger");
        return component;
    }

    private PluginRegistry registry() {
        return PluginRegistry.of(List.of(
                new SourceFactory() {
                    public String type() { return "rec"; }
                    public String description() { return "test"; }
                    public Set<String> keys() { return Set.of(); }
                    public Source create(ComponentConfig c, PipelineContext x) {
                        return created("source", c, x, new MemorySource(List.of(), false));
                    }
                },
                new FilterFactory() {
                    public String type() { return "rec"; }
                    public String description() { return "test"; }
                    public Set<String> keys() { return Set.of(); }
                    public Filter create(ComponentConfig c, PipelineContext x) {
                        return created("filter", c, x, p -> Verdict.PASS);
                    }
                },
                new SinkFactory() {
                    public String type() { return "rec"; }
                    public String description() { return "test"; }
                    public Set<String> keys() { return Set.of(); }
                    public Sink create(ComponentConfig c, PipelineContext x) {
                        return created("sink", c, x, new MemorySink());
                    }
                },
                new PeerProviderFactory() {
                    public String type() { return "rec"; }
                    public String description() { return "test"; }
                    public Set<String> keys() { return Set.of(); }
                    public PeerProvider create(ComponentConfig c, PipelineContext x) {
                        return created("peers", c, x, new PeerProvider() {
                            public void start(PeerListener listener) {
                            }

                            public void close() {
                            }
                        });
                    }
                }));
    }

    private static ConfigNode pipeline(int line, String name) {
        return map(line, "name", name, "sources", list(line, block(line, "rec", "name", "in")),
                "filters", list(line, block(line, "rec", "name", "check")), "sinks", list(line, block(line, "rec", "name", "out")));
    }

    @Test
    void kindPipelineAndLabelNameTheLoggerSoEqualLabelsInTwoPipelinesStayApart() {
        ConfigNode root = map(1, "peers", list(2, block(2, "rec", "name", "ring")),
                "pipelines", list(3, pipeline(4, "relay"), pipeline(5, "receive")));
        try (NodeRuntime rt = NodeRuntime.builder(root, registry()).ownAddresses(Set::of).build()) {
            assertEquals(2, rt.pipelines().size());
        }
        Map<String, String> expected = new TreeMap<>();
        for (String p : List.of("relay", "receive")) {
            expected.put("source " + p + " in", "dev.pmtud.source." + p + ".in");
            expected.put("filter " + p + " check", "dev.pmtud.filter." + p + ".check");
            expected.put("sink " + p + " out", "dev.pmtud.sink." + p + ".out");
        }
        expected.put("peers  ring", "dev.pmtud.peers.ring");
        assertEquals(expected, loggers);
    }
}
