package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

record TestContext(String nodeName) implements PipelineContext {
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
        return System.getLogger("pmtud." + component);
    }
}
