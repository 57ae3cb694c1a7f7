package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerSet;
import dev.pmtud.core.peers.MergedPeerSet;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The running daemon of one node: what every pipeline shares (settings, meter registry, the merged
 * peer set and its providers, the cluster's networks) and the pipelines themselves, built from one
 * configuration tree by {@link NodeRuntimeBuilder}. Building checks everything and creates every
 * component without touching the kernel; {@link #start()} opens them; {@link #prepareReload}
 * builds a new configuration beside the running one and {@link RuntimeReload#apply()} turns this
 * runtime into it, keeping what did not change; {@link #close()} stops them within two seconds.
 */
public final class NodeRuntime implements AutoCloseable {
    /** The keys a configuration file may have at its top level. */
    public static final List<String> TOP_LEVEL_KEYS = ConfigRoot.KEYS;
    /** The keys of the {@code metrics:} block. */
    public static final List<String> METRICS_KEYS = NodeSettings.METRICS_KEYS;
    /** The keys of the {@code cluster:} block. */
    public static final List<String> CLUSTER_KEYS = NodeSettings.CLUSTER_KEYS;
    /** The keys of one item of {@code pipelines:}. */
    public static final List<String> PIPELINE_KEYS = PipelineConfig.KEYS;

    private static final System.Logger LOG = System.getLogger(NodeRuntime.class.getName());
    private static final System.Logger PIPELINE_LOG = System.getLogger(Pipeline.class.getName());
    /** How long start() waits for each peer provider's first report before going on without it. */
    private static final Duration FIRST_PEERS_TIMEOUT = Duration.ofSeconds(10);
    /** How long close() waits for source threads to return, all pipelines together. */
    static final long JOIN_NANOS = 1_500_000_000L;
    /** How long close() then waits for in-flight packets before closing sinks anyway, all pipelines together. */
    static final long SINK_LOCK_NANOS = 300_000_000L;

    /**
     * A provider of {@code peers:} or of {@code cluster.addresses:} ({@code section}), its label, the
     * merged set it reports to ({@code set}) and its slot there ({@code key}: the label, or
     * label@generation for one a reload started beside its predecessor), its context and what its
     * block says. Both sections go through the same start, reload and close.
     */
    record NamedProvider(String section, String name, String key, PeerProvider provider, MergedPeerSet set,
                         RuntimeContext context, String identity) {
        /** {@code peers X} or {@code cluster.addresses X}: for logs and reload reports. */
        String shownAs() {
            return section + " " + name;
        }
    }

    /** The sections of the providers: the peers', and those of the cluster's own addresses. */
    static final String PEERS = "peers", CLUSTER_ADDRESSES = "cluster.addresses";

    private final MicrometerMetrics metrics;
    private final MergedPeerSet peers;
    private final MergedPeerSet clusterAddresses;
    // Replaced by a reload, under the transitions lock; read from anywhere.
    private volatile NodeSettings settings;
    private volatile List<Cidr> clusterNetworks;
    private volatile List<NamedProvider> providers;
    private volatile List<Pipeline> pipelines;
    /** Guards the flags below; held briefly, so that ready() answers while start() is slow. */
    private final Object lifecycle = new Object();
    /**
     * Held by start() and close() throughout: they never interleave (a close() from another thread
     * waits for start() to finish or fail), so each source runner is driven by one thread at a time.
     */
    private final Object transitions = new Object();
    private boolean started;
    private boolean closed;
    private boolean providersStarted;
    /** Reloads prepared so far: the generation of the next one's peer-provider slots. */
    private int reloads;

    NodeRuntime(NodeSettings settings, MicrometerMetrics metrics, MergedPeerSet peers, MergedPeerSet clusterAddresses,
                List<Cidr> clusterNetworks, List<NamedProvider> providers, List<Pipeline> pipelines) {
        this.settings = settings;
        this.metrics = metrics;
        this.peers = peers;
        this.clusterAddresses = clusterAddresses;
        this.clusterNetworks = List.copyOf(clusterNetworks);
        this.providers = List.copyOf(providers);
        this.pipelines = List.copyOf(pipelines);
    }

    public static NodeRuntimeBuilder builder(ConfigNode root, PluginRegistry registry) {
        return new NodeRuntimeBuilder(root, registry);
    }

    public NodeSettings settings() {
        return settings;
    }

    /** The merged peers every pipeline's sinks send to. */
    public PeerSet peers() {
        return peers;
    }

    /** The cluster's own service addresses ({@code cluster.addresses}), as filters see them. */
    public PeerSet clusterAddresses() {
        return clusterAddresses;
    }

    /**
     * The cluster's own networks, as every component's {@link dev.pmtud.api.PipelineContext#excludedNetworks()}
     * has them: {@code cluster.networks}, then what filters exclude
     * ({@link dev.pmtud.api.FilterFactory#excludedNetworks}), then what the caller added
     * ({@link NodeRuntimeBuilder#clusterNetworks}); each once, in that order.
     */
    public List<Cidr> clusterNetworks() {
        return clusterNetworks;
    }

    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    MicrometerMetrics nodeMetrics() {
        return metrics;
    }

    MergedPeerSet mergedPeers() {
        return peers;
    }

    MergedPeerSet mergedClusterAddresses() {
        return clusterAddresses;
    }

    List<NamedProvider> providers() {
        return providers;
    }

    Object transitions() {
        return transitions;
    }

    /** Whether the runtime was started and is not closed: what a reload needs. */
    boolean running() {
        synchronized (lifecycle) {
            return started && !closed;
        }
    }

    /** After build: the runtime may be neither started nor reloaded (a reload's build, once applied or discarded). */
    void retire() {
        synchronized (lifecycle) {
            closed = true;
        }
    }

    /**
     * Builds the configuration {@code builder} holds as this running runtime would run it, without
     * changing anything that runs: every block is checked and every component created (factories
     * never touch the kernel) with this runtime's peers and meter registry. Apply it with
     * {@link RuntimeReload#apply()}, or {@link RuntimeReload#discard()} it.
     *
     * @throws dev.pmtud.api.ConfigException for any mistake (as {@link NodeRuntimeBuilder#build()}), or
     *                                       when {@code node} or {@code metrics} changed, which need a restart;
     *                                       the running configuration is then untouched
     * @throws IllegalStateException when this runtime is not running
     */
    public RuntimeReload prepareReload(NodeRuntimeBuilder builder) {
        int generation;
        synchronized (transitions) {
            if (!running()) {
                throw new IllegalStateException("only a running runtime can be reloaded");
            }
            generation = ++reloads;
        }
        ReloadStaging staging = new ReloadStaging();
        try {
            return new RuntimeReload(this, builder.buildFor(this, staging, generation), staging);
        } catch (RuntimeException e) {
            RuntimeReload.undo(this, staging);
            throw e;
        }
    }

    /** What a reload turned this runtime into (its lifecycle thread, under the transitions lock). */
    void adopt(NodeSettings settings, List<Cidr> clusterNetworks, List<NamedProvider> providers, List<Pipeline> pipelines) {
        this.settings = settings;
        this.clusterNetworks = List.copyOf(clusterNetworks);
        this.providers = List.copyOf(providers);
        this.pipelines = List.copyOf(pipelines);
    }

    /** The pipelines built, in configuration order. */
    public List<Pipeline> pipelines() {
        return pipelines;
    }

    public Optional<Pipeline> pipeline(String name) {
        return pipelines.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Every device any pipeline's sinks inject into. */
    public Set<String> injectDevices() {
        Set<String> out = new LinkedHashSet<>();
        for (Pipeline p : pipelines) {
            out.addAll(p.injectDevices());
        }
        return out;
    }

    /** Every sink's notes, as {@code pipeline NAME, sink NAME: note}. */
    public List<String> notes() {
        List<String> out = new ArrayList<>();
        for (Pipeline p : pipelines) {
            for (String note : p.notes()) {
                out.add("pipeline " + p.name() + ", " + note);
            }
        }
        return out;
    }

    /**
     * Starts the peer providers (waiting for each one's first report, at most 10 s), opens every
     * pipeline's sinks, then every pipeline's sources, then starts one thread per source. On
     * failure everything opened is closed again and the failure is thrown.
     *
     * @throws IOException from a sink's or source's open(), with its one-line, actionable message
     */
    public void start() throws IOException {
        synchronized (transitions) {
            synchronized (lifecycle) {
                if (started || closed) {
                    throw new IllegalStateException(closed ? "the runtime is closed; build a new one" : "the runtime is already started");
                }
                started = true;
            }
            try {
                startProviders();
                for (Pipeline p : pipelines) {
                    p.openSinks();
                }
                for (Pipeline p : pipelines) {
                    p.openSources();
                }
                for (Pipeline p : pipelines) {
                    p.startSources();
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }
        int peerCount = peers.current().size();
        for (Pipeline p : pipelines) {
            PIPELINE_LOG.log(System.Logger.Level.INFO, "pipeline " + p.name() + " on " + settings.nodeName() + " started: sources "
                    + p.sourceNames() + ", filters " + p.filterLabels() + ", sinks " + p.sinkNames() + ", " + peerCount + " peers");
        }
    }

    private void startProviders() throws IOException {
        providersStarted = true;
        for (NamedProvider p : providers) {
            startProvider(p);
        }
        awaitFirstReports(providers);
    }

    /** Starts one provider, reporting into its own slot of its merged set. */
    void startProvider(NamedProvider p) throws IOException {
        p.provider().start(p.set().listener(p.key(), p.name(), p.context().metrics()));
    }

    /** Waits at most 10 s in all for each of {@code started}'s first report (a set or a failure); logs the silent ones. */
    void awaitFirstReports(List<NamedProvider> started) throws IOException {
        if (started.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + FIRST_PEERS_TIMEOUT.toNanos();
        List<String> silent = new ArrayList<>();
        for (MergedPeerSet set : started.stream().map(NamedProvider::set).distinct().toList()) {
            List<NamedProvider> of = started.stream().filter(p -> p.set() == set).toList();
            List<String> keys;
            try {
                keys = set.awaitFirstReports(of.stream().map(NamedProvider::key).toList(),
                        Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the first peer set", e);
            }
            of.stream().filter(p -> keys.contains(p.key())).forEach(p -> silent.add(p.shownAs()));
        }
        if (!silent.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "providers " + silent + " reported nothing within "
                    + FIRST_PEERS_TIMEOUT.toSeconds() + " s; going on without their addresses (they join when reported)");
        }
    }

    /** Every source of every pipeline opened and its thread running (a file source that reached its end stays ready). */
    public boolean ready() {
        synchronized (lifecycle) {
            if (!started || closed) {
                return false;
            }
        }
        for (Pipeline p : pipelines) {
            if (!p.sourcesHealthy()) {
                return false;
            }
        }
        return true;
    }

    /**
     * What keeps the runtime from doing its job, one line each, as {@code /readyz} shows it:
     * {@code pipeline P, source S: stopped: ...} for a source whose thread failed,
     * {@code pipeline P, sink S: interface eth0 is gone since ...} for a component whose
     * {@code health()} says it is failing. Empty when all is well (or before start). Thread-safe.
     */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        for (Pipeline p : pipelines) {
            for (String problem : p.problems()) {
                out.add("pipeline " + p.name() + ", " + problem);
            }
        }
        return out;
    }

    /** Waits until every source's run() has returned (files end; live sources only when closed). */
    public boolean awaitSources(Duration timeout) throws InterruptedException {
        synchronized (lifecycle) {
            if (!started) {
                return pipelines.stream().allMatch(p -> p.sourceRunners().isEmpty());
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Pipeline p : pipelines) {
            if (!p.awaitSources(deadline)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stops every source (each is woken; its own thread closes it once its run() returned), waits
     * for their threads (at most 1.5 s in all), flushes and closes the sinks, closes filters and
     * peer providers. Idempotent; never throws. Waits for a start() running on another thread.
     */
    @Override
    public void close() {
        synchronized (transitions) {
            synchronized (lifecycle) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            stop();
        }
    }

    /** Stops sources (their threads close them), then sinks, filters and providers: close()'s work, once. */
    private void stop() {
        for (Pipeline p : pipelines) {
            p.stopSources();
        }
        long joinDeadline = System.nanoTime() + JOIN_NANOS;
        try {
            for (Pipeline p : pipelines) {
                p.joinSources(joinDeadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long lockDeadline = System.nanoTime() + SINK_LOCK_NANOS;
        for (Pipeline p : pipelines) {
            p.closeSinks(lockDeadline);
        }
        for (Pipeline p : pipelines) {
            p.closeFilters();
        }
        if (providersStarted) {
            for (NamedProvider p : providers) {
                closeProvider(p);
            }
        }
    }

    /** Closes one provider; a failure is logged. */
    static void closeProvider(NamedProvider p) {
        try {
            p.provider().close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing provider " + p.shownAs() + " failed: " + e, e);
        }
    }
}
