package dev.pmtud.app;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The context given to the replacement source and sink of {@code replay}. The pipeline builder
 * takes them already created, before its own context exists; the pcap-file source and sink need
 * nothing from a context but a node name and a logger, and their counters are kept by the runtime.
 */
final class StandInContext implements PipelineContext {
    private final String nodeName;

    StandInContext(String nodeName) {
        this.nodeName = nodeName;
    }

    @Override
    public String nodeName() {
        return nodeName;
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
        return System.getLogger("dev.pmtud." + component);
    }
}
