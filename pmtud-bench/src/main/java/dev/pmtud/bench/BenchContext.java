package dev.pmtud.bench;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** The least a filter factory needs: a node name, no-op metrics, no peers. */
final class BenchContext implements PipelineContext {
    private final List<Cidr> excluded;

    BenchContext(List<Cidr> excluded) {
        this.excluded = excluded;
    }

    @Override
    public String nodeName() {
        return "bench";
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
        return excluded;
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("dev.pmtud.bench");
    }
}
