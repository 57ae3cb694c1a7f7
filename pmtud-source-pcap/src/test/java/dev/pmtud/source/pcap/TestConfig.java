package dev.pmtud.source.pcap;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** Builds component blocks as the YAML loader would, and a context that offers nothing. */
final class TestConfig {
    static final String FILE = "test.yaml";

    private TestConfig() {
    }

    /** {@code { type: TYPE, k: v, ... }} at line 1, each key on the next line. */
    static ComponentConfig block(String type, String... keysAndValues) {
        Map<String, ConfigNode> m = new LinkedHashMap<>();
        m.put("type", ConfigNode.scalar(FILE, 1, type));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], ConfigNode.scalar(FILE, 2 + i / 2, keysAndValues[i + 1]));
        }
        return new ComponentConfig(ConfigNode.map(FILE, 1, m), "sources[0] (" + type + ")");
    }

    static final PipelineContext CONTEXT = new PipelineContext() {
        @Override
        public String nodeName() {
            return "test";
        }

        @Override
        public Metrics metrics() {
            return Metrics.NOOP;
        }

        @Override
        public PeerSet peers() {
            return new PeerSet() {
                @Override
                public Set<InetAddress> current() {
                    return Set.of();
                }

                @Override
                public void addListener(Consumer<Set<InetAddress>> listener) {
                }
            };
        }

        @Override
        public List<Cidr> excludedNetworks() {
            return List.of();
        }

        @Override
        public System.Logger logger(String component) {
            return System.getLogger(component);
        }
    };
}
