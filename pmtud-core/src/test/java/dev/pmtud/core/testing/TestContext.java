package dev.pmtud.core.testing;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** A bare context for creating one component outside a pipeline: no metrics, no peers. */
public final class TestContext implements PipelineContext {
    private final String loggerPrefix;

    /** @param loggerPrefix prepended to component names, so a test can listen on its own logger */
    public TestContext(String loggerPrefix) {
        this.loggerPrefix = loggerPrefix;
    }

    @Override
    public String nodeName() {
        return "test-node";
    }

    @Override
    public Metrics metrics() {
        return Metrics.NOOP;
    }

    @Override
    public PeerSet peers() {
        return new PeerSet() {
            @Override
            public Set<java.net.InetAddress> current() {
                return Set.of();
            }

            @Override
            public void addListener(Consumer<Set<java.net.InetAddress>> listener) {
            }
        };
    }

    @Override
    public List<Cidr> excludedNetworks() {
        return List.of();
    }

    @Override
    public System.Logger logger(String component) {
        return System.getLogger(loggerPrefix + component);
    }
}
