package dev.pmtud.testkit;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link PipelineContext} for creating components outside a pipeline: a node name (default
 * {@value #NODE}), a peer set the test replaces with {@link #setPeers} (listeners are told, as the
 * runtime's merged set tells them), excluded networks, one logger (default {@value #LOGGER}, or the
 * name the test gives it), and {@link RecordingMetrics} the test reads back. Starts with no peers and no exclusions; its
 * pipeline is {@value PipelineContext#SINGLE_PIPELINE}. Its cluster addresses are {@link PeerSet#NONE} (no
 * {@code cluster.addresses} providers) until {@link #withClusterAddresses} gives it a set of its own.
 */
public final class TestContext implements PipelineContext {
    /** The default node name. */
    public static final String NODE = "test-node";
    /** The default name of {@link #logger()}. */
    public static final String LOGGER = "dev.pmtud.test";

    private final String nodeName;
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final SettableSet peerSet = new SettableSet();
    private volatile List<Cidr> excluded = List.of();
    private volatile String loggerName = LOGGER;
    private final SettableSet addresses = new SettableSet();
    private volatile PeerSet clusterAddresses = PeerSet.NONE;

    /** A set the test replaces; its listeners are told, as the runtime's merged sets tell them. */
    private static final class SettableSet implements PeerSet {
        private final List<Consumer<Set<InetAddress>>> listeners = new CopyOnWriteArrayList<>();
        private volatile Set<InetAddress> current = Set.of();

        @Override
        public Set<InetAddress> current() {
            return current;
        }

        @Override
        public void addListener(Consumer<Set<InetAddress>> listener) {
            listeners.add(listener);
        }

        void set(Collection<? extends InetAddress> now, boolean tell) {
            Set<InetAddress> copy = Collections.unmodifiableSet(new LinkedHashSet<>(now));
            current = copy;
            if (tell) {
                listeners.forEach(l -> l.accept(copy));
            }
        }
    }

    public TestContext() {
        this(NODE);
    }

    public TestContext(String nodeName) {
        this.nodeName = nodeName;
    }

    /** Sets the starting peers (in this order); for building, before any component listens. */
    public TestContext withPeers(Collection<? extends InetAddress> startingPeers) {
        peerSet.set(startingPeers, false);
        return this;
    }

    /** Gives it cluster addresses (as a node with {@code cluster.addresses} providers has), starting with these. */
    public TestContext withClusterAddresses(Collection<? extends InetAddress> starting) {
        addresses.set(starting, false);
        clusterAddresses = addresses;
        return this;
    }

    /** Replaces the cluster addresses and tells every listener, as a provider's report would. */
    public void setClusterAddresses(Collection<? extends InetAddress> now) {
        addresses.set(now, true);
    }

    public TestContext excluding(List<Cidr> networks) {
        excluded = List.copyOf(networks);
        return this;
    }

    /** Names {@link #logger()}, so that a test can listen on what the component logs. */
    public TestContext withLogger(String name) {
        loggerName = name;
        return this;
    }

    /** Replaces the peer set and tells every listener, as a provider's report would. */
    public void setPeers(Collection<? extends InetAddress> newPeers) {
        peerSet.set(newPeers, true);
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String pipelineName() {
        return SINGLE_PIPELINE;
    }

    @Override
    public RecordingMetrics metrics() {
        return metrics;
    }

    @Override
    public PeerSet peers() {
        return peerSet;
    }

    @Override
    public PeerSet clusterAddresses() {
        return clusterAddresses;
    }

    @Override
    public List<Cidr> excludedNetworks() {
        return excluded;
    }

    @Override
    public System.Logger logger() {
        return System.getLogger(loggerName);
    }
}
