package dev.pmtud.bench;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** The least a component factory needs: a node name, metrics (none by default), fixed peers (none by default). */
final class BenchContext implements PipelineContext {
    private final List<Cidr> excluded;
    private final Metrics metrics;
    private final Set<InetAddress> peers;

    BenchContext(List<Cidr> excluded) {
        this(excluded, Metrics.NOOP, List.of());
    }

    BenchContext(List<Cidr> excluded, Metrics metrics, Collection<InetAddress> peers) {
        this.excluded = excluded;
        this.metrics = metrics;
        this.peers = Set.copyOf(peers);
    }

    @Override
    public String nodeName() {
        return "bench";
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public PeerSet peers() {
        return new PeerSet() {
            @Override
            public Set<InetAddress> current() {
                return peers;
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
