package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import dev.pmtud.core.peers.MergedPeerSet;
import dev.pmtud.core.peers.OwnAddresses;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The running daemon: peer providers, sources, the filter chain and sinks, built from one
 * configuration tree. {@link Builder#build()} checks everything and creates every component without
 * touching the kernel; {@link #start()} opens them; {@link #close()} stops them within two seconds.
 */
public final class Pipeline implements AutoCloseable {
    /** The keys a configuration file may have at its top level. */
    public static final java.util.List<String> TOP_LEVEL_KEYS = PipelineConfig.TOP_LEVEL_KEYS;

    /** The keys of the {@code metrics:} block. */
    public static final java.util.List<String> METRICS_KEYS = PipelineConfig.METRICS_KEYS;

    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());
    /** How long start() waits for each peer provider's first report before going on without it. */
    private static final Duration FIRST_PEERS_TIMEOUT = Duration.ofSeconds(10);
    /** How long close() waits for source threads to return. */
    private static final long JOIN_NANOS = 1_500_000_000L;
    /** How long close() waits for an in-flight packet before closing sinks anyway. */
    private static final long SINK_LOCK_NANOS = 300_000_000L;

    /** What the top level of the configuration says besides the components. */
    public record Settings(String nodeName, boolean metricsEnabled, InetSocketAddress metricsListen, ConfigNode rules) {

        /** Reads (and checks) only node, metrics and rules; for callers that need them before building. */
        public static Settings from(ConfigNode root) {
            return PipelineConfig.settings(PipelineConfig.requireMap(root));
        }
    }

    /**
     * Counts since build: {@code received == invalid + sum(dropped) + forwarded} once every packet in
     * flight is done. {@code dropped} is keyed by filter label (loop guards first), in chain order.
     */
    public record Summary(long received, long invalid, Map<String, Long> dropped, long forwarded) {
        public long droppedTotal() {
            return dropped.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private record Named<T>(String name, T component) {
    }

    private final Settings settings;
    private final MicrometerMetrics metrics;
    private final MergedPeerSet peers;
    private final PipelineContext context;
    private final List<Named<PeerProvider>> providers;
    private final List<SourceRunner> sources;
    private final List<SinkStage> sinks;
    private final List<FilterStage> configuredFilters;
    private final PacketPath path;
    private final Object lifecycle = new Object();
    private boolean started;
    private boolean closed;
    private boolean providersStarted;

    private Pipeline(Settings settings, MicrometerMetrics metrics, MergedPeerSet peers, PipelineContext context,
                     List<Named<PeerProvider>> providers, List<SourceRunner> sources, List<SinkStage> sinks,
                     List<FilterStage> configuredFilters, PacketPath path) {
        this.settings = settings;
        this.metrics = metrics;
        this.peers = peers;
        this.context = context;
        this.providers = providers;
        this.sources = sources;
        this.sinks = sinks;
        this.configuredFilters = configuredFilters;
        this.path = path;
    }

    public static Builder builder(ConfigNode root, PluginRegistry registry) {
        return new Builder(root, registry);
    }

    public Settings settings() {
        return settings;
    }

    /** What components were given: node name, metrics, peers, excluded networks. */
    public PipelineContext context() {
        return context;
    }

    public PeerSet peers() {
        return peers;
    }

    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    /** Source names in configuration order (the {@code source} label). */
    public List<String> sourceNames() {
        return sources.stream().map(SourceRunner::name).toList();
    }

    /** Filter labels in the order they run, loop guards first (the {@code filter} label). */
    public List<String> filterLabels() {
        return path.filters().stream().map(FilterStage::label).toList();
    }

    /** Sink names in configuration order (the {@code sink} label). */
    public List<String> sinkNames() {
        return sinks.stream().map(SinkStage::name).toList();
    }

    /**
     * Starts peer providers (waiting for each one's first report, at most 10 s), opens sinks, opens
     * sources and starts one thread per source. On failure everything opened is closed again.
     *
     * @throws IOException from a sink's or source's open(), with its actionable message
     */
    public void start() throws IOException {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "the pipeline is closed; build a new one" : "the pipeline is already started");
            }
            started = true;
        }
        try {
            startProviders();
            for (SinkStage s : sinks) {
                s.open();
            }
            for (SourceRunner s : sources) {
                s.open();
            }
            for (SourceRunner s : sources) {
                s.start(s.counting(path::process));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "pipeline on " + settings.nodeName() + " started: sources " + sourceNames()
                + ", filters " + filterLabels() + ", sinks " + sinkNames() + ", " + peers.current().size() + " peers");
    }

    private void startProviders() throws IOException {
        providersStarted = true;
        for (Named<PeerProvider> p : providers) {
            p.component().start(peers.listener(p.name()));
        }
        if (providers.isEmpty()) {
            return;
        }
        List<String> silent;
        try {
            silent = peers.awaitFirstReports(providers.stream().map(Named::name).toList(), FIRST_PEERS_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the first peer set", e);
        }
        if (!silent.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "peer providers " + silent + " reported nothing within "
                    + FIRST_PEERS_TIMEOUT.toSeconds() + " s; starting without their peers (they join when reported)");
        }
    }

    /** Every source opened and its thread running (a file source that reached its end stays ready). */
    public boolean ready() {
        synchronized (lifecycle) {
            if (!started || closed) {
                return false;
            }
        }
        for (SourceRunner s : sources) {
            if (!s.healthy()) {
                return false;
            }
        }
        return true;
    }

    /** Waits until every source's run() has returned (files end; live sources only when closed). */
    public boolean awaitSources(Duration timeout) throws InterruptedException {
        synchronized (lifecycle) {
            if (!started) {
                return sources.isEmpty();
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (SourceRunner s : sources) {
            if (!s.awaitEnd(deadline - System.nanoTime())) {
                return false;
            }
        }
        return true;
    }

    public Summary summary() {
        long received = 0;
        for (SourceRunner s : sources) {
            received += s.received();
        }
        Map<String, Long> dropped = new LinkedHashMap<>();
        for (FilterStage f : path.filters()) {
            dropped.put(f.label(), f.dropped());
        }
        return new Summary(received, path.invalid(), java.util.Collections.unmodifiableMap(dropped), path.forwarded());
    }

    /**
     * Stops sources (their run() returns), waits for their threads (at most 1.5 s), flushes and closes
     * sinks, closes filters and peer providers. Idempotent; never throws.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + JOIN_NANOS;
        for (SourceRunner s : sources) {
            s.close();
        }
        for (SourceRunner s : sources) {
            try {
                if (!s.join(deadline - System.nanoTime())) {
                    LOG.log(System.Logger.Level.WARNING, "source " + s.name() + " did not stop within "
                            + JOIN_NANOS / 1_000_000 + " ms; closing the sinks anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeSinks();
        // Loop guards belong to their sinks, which closed them with themselves.
        for (FilterStage f : configuredFilters) {
            try {
                f.filter().close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing filter " + f.label() + " failed: " + e, e);
            }
        }
        if (providersStarted) {
            for (Named<PeerProvider> p : providers) {
                try {
                    p.component().close();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing peer provider " + p.name() + " failed: " + e, e);
                }
            }
        }
    }

    private void closeSinks() {
        boolean locked = false;
        try {
            locked = path.lock().tryLock(SINK_LOCK_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            path.sinksClosed();
            for (SinkStage s : sinks) {
                if (!s.opened()) {
                    continue;
                }
                try {
                    s.sink().flush();
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "flushing sink " + s.name() + " failed: " + e, e);
                }
                try {
                    s.sink().close();
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing sink " + s.name() + " failed: " + e, e);
                }
            }
        } finally {
            if (locked) {
                path.lock().unlock();
            }
        }
    }

    /** Collects the configuration, the registry and what the caller replaces, then builds. */
    public static final class Builder {
        private final ConfigNode root;
        private final PluginRegistry registry;
        private MeterRegistry meterRegistry;
        private Function<PipelineContext, List<Source>> replacementSources;
        private Function<PipelineContext, List<Sink>> replacementSinks;
        private DecisionListener listener;
        private Supplier<Set<InetAddress>> ownAddresses = new OwnAddresses();

        private Builder(ConfigNode root, PluginRegistry registry) {
            this.root = root;
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** Where metrics go; default a private {@link SimpleMeterRegistry}. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /**
         * Runs these sources (named replay, replay-2, ...) instead of the configured ones, which are
         * then only checked (type and keys), not created. The configuration may then have none.
         */
        public Builder replaceSources(List<Source> sources) {
            List<Source> fixed = List.copyOf(sources);
            return replaceSources(context -> fixed);
        }

        /**
         * Like {@link #replaceSources(List)}, the sources created by {@code create} during
         * {@link #build()} with the pipeline's own context (its metrics, peers and exclusions).
         */
        public Builder replaceSources(Function<PipelineContext, List<Source>> create) {
            this.replacementSources = Objects.requireNonNull(create, "create");
            return this;
        }

        /** Sends to these sinks (named output, output-2, ...) instead of the configured ones (only checked). */
        public Builder replaceSinks(List<Sink> sinks) {
            List<Sink> fixed = List.copyOf(sinks);
            return replaceSinks(context -> fixed);
        }

        /**
         * Like {@link #replaceSinks(List)}, the sinks created by {@code create} during {@link #build()}
         * with the pipeline's own context (its metrics, peers and exclusions).
         */
        public Builder replaceSinks(Function<PipelineContext, List<Sink>> create) {
            this.replacementSinks = Objects.requireNonNull(create, "create");
            return this;
        }

        public Builder onDecision(DecisionListener listener) {
            this.listener = listener;
            return this;
        }

        /** This node's addresses, removed from the peer set; default: every interface's (tests replace it). */
        public Builder ownAddresses(Supplier<Set<InetAddress>> ownAddresses) {
            this.ownAddresses = Objects.requireNonNull(ownAddresses, "ownAddresses");
            return this;
        }

        /**
         * Checks the whole configuration and creates every component.
         *
         * @throws ConfigException naming file:line, what is wrong and what is allowed
         */
        public Pipeline build() {
            ConfigNode top = PipelineConfig.requireMap(root);
            PipelineConfig.checkTopLevelKeys(top);
            Settings settings = PipelineConfig.settings(top);

            List<ComponentBlock> peerBlocks = PipelineConfig.blocks(top, "peers", PluginRegistry.PEERS, registry);
            List<ComponentBlock> filterBlocks = PipelineConfig.blocks(top, "filters", PluginRegistry.FILTER, registry);
            List<ComponentBlock> sinkBlocks = PipelineConfig.blocks(top, "sinks", PluginRegistry.SINK, registry);
            List<ComponentBlock> sourceBlocks = PipelineConfig.blocks(top, "sources", PluginRegistry.SOURCE, registry);
            if (replacementSources == null && sourceBlocks.isEmpty()) {
                ConfigNode at = top.get("sources") != null ? top.get("sources") : top;
                throw at.error("no sources: add at least one under sources:, like - { type: nflog, group: 33 }");
            }
            List<Cidr> excluded = PipelineConfig.excludedNetworks(filterBlocks, settings.rules());

            MicrometerMetrics metrics = new MicrometerMetrics(
                    meterRegistry != null ? meterRegistry : new SimpleMeterRegistry(), settings.nodeName());
            MergedPeerSet peers = new MergedPeerSet(metrics, ownAddresses);
            RuntimeContext context = new RuntimeContext(settings.nodeName(), metrics, peers, excluded);

            List<Named<PeerProvider>> providers = new ArrayList<>();
            for (ComponentBlock b : peerBlocks) {
                providers.add(new Named<>(b.name(), b.create((PeerProviderFactory) b.factory(), context)));
            }
            List<FilterStage> configured = new ArrayList<>();
            for (ComponentBlock b : filterBlocks) {
                configured.add(new FilterStage(b.name(), b.create((FilterFactory) b.factory(), context), metrics));
            }
            List<SinkStage> sinks = new ArrayList<>();
            if (replacementSinks != null) {
                List<Sink> replaced = List.copyOf(replacementSinks.apply(context));
                List<String> names = PipelineConfig.generatedNames("output", replaced.size());
                for (int i = 0; i < replaced.size(); i++) {
                    sinks.add(new SinkStage(names.get(i), replaced.get(i), metrics, LOG));
                }
            } else {
                for (ComponentBlock b : sinkBlocks) {
                    sinks.add(new SinkStage(b.name(), b.create((SinkFactory) b.factory(), context), metrics,
                            context.logger("sink." + b.name())));
                }
            }
            if (sinks.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "no sinks configured: messages are decoded, filtered and counted,"
                        + " but replicated nowhere; add sinks: to replicate");
            }
            List<FilterStage> chain = new ArrayList<>();
            for (SinkStage s : sinks) {
                Filter guard = s.sink().loopGuard();
                if (guard != null) {
                    chain.add(new FilterStage(s.name() + "-loop-guard", guard, metrics));
                }
            }
            chain.addAll(configured);
            List<SourceRunner> sources = new ArrayList<>();
            if (replacementSources != null) {
                List<Source> replaced = List.copyOf(replacementSources.apply(context));
                List<String> names = PipelineConfig.generatedNames("replay", replaced.size());
                for (int i = 0; i < replaced.size(); i++) {
                    sources.add(new SourceRunner(names.get(i), replaced.get(i), metrics));
                }
            } else {
                for (ComponentBlock b : sourceBlocks) {
                    sources.add(new SourceRunner(b.name(), b.create((SourceFactory) b.factory(), context), metrics));
                }
            }
            PacketPath path = new PacketPath(chain, sinks, listener, metrics);
            return new Pipeline(settings, metrics, peers, context, List.copyOf(providers), List.copyOf(sources),
                    List.copyOf(sinks), List.copyOf(configured), path);
        }
    }
}
