package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import dev.pmtud.core.peers.MergedPeerSet;
import dev.pmtud.core.peers.OwnAddresses;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Collects the configuration, the registry and what the caller replaces, then builds a
 * {@link NodeRuntime}: every pipeline of the configuration, or only the one {@link #pipeline(String)}
 * selects (the others' blocks are then checked, type and keys, but not created).
 */
public final class NodeRuntimeBuilder {
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private final ConfigNode root;
    private final PluginRegistry registry;
    private MeterRegistry meterRegistry;
    private String selected;
    private Function<PipelineContext, List<Source>> replacementSources;
    private Function<PipelineContext, List<Sink>> replacementSinks;
    private DecisionListener listener;
    private Supplier<Set<InetAddress>> ownAddresses = new OwnAddresses();
    private final List<Cidr> addedClusterNetworks = new ArrayList<>();

    NodeRuntimeBuilder(ConfigNode root, PluginRegistry registry) {
        this.root = root;
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Where metrics go; default a private {@link SimpleMeterRegistry}. */
    public NodeRuntimeBuilder meterRegistry(MeterRegistry registry) {
        this.meterRegistry = registry;
        return this;
    }

    /**
     * Builds only the pipeline named {@code name} (replay runs one); {@link #build()} throws
     * {@link IllegalArgumentException} naming the pipelines when there is none of that name.
     */
    public NodeRuntimeBuilder pipeline(String name) {
        this.selected = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * Runs these sources (named replay, replay-2, ...) instead of the configured ones of the one
     * pipeline built, which are then only checked (type and keys), not created. That pipeline may
     * then have none configured. With several pipelines, select one with {@link #pipeline(String)}.
     */
    public NodeRuntimeBuilder replaceSources(List<Source> sources) {
        List<Source> fixed = List.copyOf(sources);
        return replaceSources(context -> fixed);
    }

    /**
     * Like {@link #replaceSources(List)}, the sources created by {@code create} during
     * {@link #build()} with the pipeline's own context (its metrics, peers and exclusions; its
     * logger is the pipeline's, {@code dev.pmtud.core.Pipeline}, as the replacements are named only after).
     */
    public NodeRuntimeBuilder replaceSources(Function<PipelineContext, List<Source>> create) {
        this.replacementSources = Objects.requireNonNull(create, "create");
        return this;
    }

    /** Sends to these sinks (named output, output-2, ...) instead of the configured ones (only checked). */
    public NodeRuntimeBuilder replaceSinks(List<Sink> sinks) {
        List<Sink> fixed = List.copyOf(sinks);
        return replaceSinks(context -> fixed);
    }

    /**
     * Like {@link #replaceSinks(List)}, the sinks created by {@code create} during {@link #build()}
     * with the pipeline's own context (as for {@link #replaceSources(Function)}).
     */
    public NodeRuntimeBuilder replaceSinks(Function<PipelineContext, List<Sink>> create) {
        this.replacementSinks = Objects.requireNonNull(create, "create");
        return this;
    }

    /** Told every decision of every pipeline. */
    public NodeRuntimeBuilder onDecision(DecisionListener listener) {
        this.listener = listener;
        return this;
    }

    /**
     * Networks the caller knows to be the cluster's own besides what the configuration says (the
     * app: the managed capture rule's {@code exclude-sources}); added to
     * {@link NodeRuntime#clusterNetworks()}. Calls add up.
     */
    public NodeRuntimeBuilder clusterNetworks(Collection<Cidr> networks) {
        addedClusterNetworks.addAll(networks);
        return this;
    }

    /** This node's addresses, removed from the peer set; default: every interface's (tests replace it). */
    public NodeRuntimeBuilder ownAddresses(Supplier<Set<InetAddress>> ownAddresses) {
        this.ownAddresses = Objects.requireNonNull(ownAddresses, "ownAddresses");
        return this;
    }

    /** One pipeline's checked blocks. */
    private record Blocks(PipelineConfig config, List<ComponentBlock> sources, List<ComponentBlock> filters,
                          List<ComponentBlock> sinks) {
    }

    /**
     * Checks the whole configuration and creates every component of the pipelines built.
     *
     * @throws dev.pmtud.api.ConfigException naming file:line, what is wrong and what is allowed
     */
    public NodeRuntime build() {
        NodeSettings settings = NodeSettings.from(root);
        MicrometerMetrics nodeMetrics = new MicrometerMetrics(
                meterRegistry != null ? meterRegistry : new SimpleMeterRegistry(), settings.nodeName());
        return build(settings, nodeMetrics, MergedPeerSet.peers(nodeMetrics, ownAddresses), MergedPeerSet.clusterAddresses(nodeMetrics), 0);
    }

    /**
     * The runtime a reload of {@code running} would turn it into: built the same way, sharing its
     * peer set, its cluster addresses and its meter registry ({@code staged} defers what would rebind a
     * running series), its providers in slots of generation {@code generation}.
     */
    NodeRuntime buildFor(NodeRuntime running, ReloadStaging staging, int generation) {
        if (replacementSources != null || replacementSinks != null || selected != null) {
            throw new IllegalStateException("a reload builds every pipeline from the configuration; no pipeline(name) or replacements");
        }
        NodeSettings settings = NodeSettings.from(root);
        NodeSettings was = running.settings();
        ConfigNode top = ConfigRoot.requireMap(root);
        if (!settings.nodeName().equals(was.nodeName())) {
            throw at(top, "node").error("node: '" + settings.nodeName() + "' is not the running '" + was.nodeName()
                    + "'; the node name labels every series, so changing it takes a restart (the running configuration is kept)");
        }
        if (settings.metricsEnabled() != was.metricsEnabled() || !Objects.equals(settings.metricsListen(), was.metricsListen())) {
            throw at(top, "metrics").error("metrics: the metrics server keeps " + (was.metricsEnabled() ? "listening on "
                    + was.metricsListen() : "off") + " until a restart; write it as it was to reload the rest (the running configuration is kept)");
        }
        if (!Objects.equals(settings.healthListen(), was.healthListen()) || settings.goPmtudMetrics() != was.goPmtudMetrics()) {
            throw at(top, "metrics").error("metrics: health-listen (running: " + (was.healthListen() == null ? "off" : was.healthListen())
                    + ") and go-pmtud (running: " + was.goPmtudMetrics() + ") keep their values until a restart; write them as they were"
                    + " to reload the rest (the running configuration is kept)");
        }
        return build(settings, running.nodeMetrics().staged(staging), running.mergedPeers(), running.mergedClusterAddresses(),
                generation);
    }

    private static ConfigNode at(ConfigNode top, String key) {
        return top.get(key) != null ? top.get(key) : top;
    }

    private NodeRuntime build(NodeSettings settings, MicrometerMetrics nodeMetrics, MergedPeerSet peers,
                              MergedPeerSet clusterAddresses, int generation) {
        List<PipelineConfig> configs = PipelineConfig.read(root);
        List<ComponentBlock> peerBlocks = ComponentBlocks.peers(root, registry);
        List<ComponentBlock> addressBlocks = ComponentBlocks.clusterAddresses(root, registry);
        List<Blocks> all = new ArrayList<>();
        for (PipelineConfig c : configs) {
            List<ComponentBlock> filters = ComponentBlocks.of(c, "filters", PluginRegistry.FILTER, registry);
            List<ComponentBlock> sinks = ComponentBlocks.of(c, "sinks", PluginRegistry.SINK, registry);
            all.add(new Blocks(c, ComponentBlocks.of(c, "sources", PluginRegistry.SOURCE, registry), filters, sinks));
        }
        List<Blocks> built = selected(all);
        List<Cidr> excluded = clusterNetworks(settings, all);

        // Without providers, components see PeerSet.NONE: a filter can tell that nothing will ever fill it.
        MergedPeerSet offered = addressBlocks.isEmpty() ? null : clusterAddresses;
        RuntimeContext shared = new RuntimeContext(settings.nodeName(), "", nodeMetrics, peers, offered, excluded);
        List<NodeRuntime.NamedProvider> providers = new ArrayList<>();
        providers(NodeRuntime.PEERS, PluginRegistry.PEERS, peerBlocks, peers, shared, generation, providers);
        providers(NodeRuntime.CLUSTER_ADDRESSES, RuntimeContext.CLUSTER_ADDRESSES, addressBlocks, clusterAddresses, shared,
                generation, providers);
        List<Pipeline> pipelines = new ArrayList<>();
        List<InjectionLoopCheck.Capture> captures = new ArrayList<>();
        for (Blocks b : built) {
            MicrometerMetrics metrics = nodeMetrics.forPipeline(b.config().name());
            RuntimeContext context = new RuntimeContext(settings.nodeName(), b.config().name(), metrics, peers, offered, excluded);
            pipelines.add(pipeline(b, context, metrics, built.size() > 1, captures,
                    "|cluster=" + excluded + "|cluster-addresses=" + (offered != null)));
        }
        List<InjectionLoopCheck.Injection> injections = new ArrayList<>();
        for (Pipeline p : pipelines) {
            for (SinkStage s : p.sinkStages()) {
                injections.add(new InjectionLoopCheck.Injection(p.name(), s.name(), s.sink().injectsInto()));
            }
        }
        InjectionLoopCheck.check(captures, injections);
        return new NodeRuntime(settings, nodeMetrics, peers, clusterAddresses, excluded, providers, pipelines);
    }

    /**
     * Creates (never starts: {@code pmtud validate} contacts nothing) the providers of {@code blocks},
     * reporting to {@code set}, into {@code out}.
     *
     * @param section {@link NodeRuntime#PEERS} or {@link NodeRuntime#CLUSTER_ADDRESSES}
     * @param kind    what their loggers are named after ({@code dev.pmtud.<kind>.<label>})
     */
    private static void providers(String section, String kind, List<ComponentBlock> blocks, MergedPeerSet set,
                                  RuntimeContext shared, int generation, List<NodeRuntime.NamedProvider> out) {
        for (ComponentBlock b : blocks) {
            RuntimeContext own = shared.forComponent(kind, b.name());
            String key = generation == 0 ? b.name() : b.name() + "@" + generation;
            out.add(new NodeRuntime.NamedProvider(section, b.name(), key, b.create((PeerProviderFactory) b.factory(), own), set, own,
                    b.content()));
        }
    }

    /** The pipelines to build: all, or the selected one; replacements need exactly one. */
    private List<Blocks> selected(List<Blocks> all) {
        List<String> names = all.stream().map(b -> b.config().name()).toList();
        List<Blocks> built = all;
        if (selected != null) {
            built = all.stream().filter(b -> b.config().name().equals(selected)).toList();
            if (built.isEmpty()) {
                throw new IllegalArgumentException("no pipeline is named '" + selected + "'; the configuration has " + names);
            }
        }
        if ((replacementSources != null || replacementSinks != null) && built.size() != 1) {
            throw new IllegalStateException("replacing sources or sinks needs one pipeline; select one of " + names
                    + " with pipeline(name)");
        }
        return built;
    }

    /**
     * @param given what filters and sinks were given besides their block (the cluster's networks,
     *              whether there are cluster addresses): part of their identity, so a reload rebuilds
     *              them when it changes
     */
    private Pipeline pipeline(Blocks b, RuntimeContext context, MicrometerMetrics metrics, boolean several,
                              List<InjectionLoopCheck.Capture> captures, String given) {
        PipelineConfig config = b.config();
        if (replacementSources == null && b.sources().isEmpty()) {
            ConfigNode at = config.sources() != null ? config.sources() : config.declaredAt();
            throw at.error((config.listed() ? "pipeline " + config.name() + " has no sources" : "no sources")
                    + ": add at least one under sources:, like - { type: nflog, group: 33 }");
        }
        List<FilterStage> configured = new ArrayList<>();
        for (ComponentBlock f : b.filters()) {
            RuntimeContext own = context.forComponent(PluginRegistry.FILTER, f.name());
            configured.add(new FilterStage(f.name(), f.create((FilterFactory) f.factory(), own), own, f.content() + given));
        }
        List<SinkStage> sinks = new ArrayList<>();
        if (replacementSinks != null) {
            List<Sink> replaced = List.copyOf(replacementSinks.apply(context));
            List<String> names = ComponentBlocks.generatedNames("output", replaced.size());
            for (int i = 0; i < replaced.size(); i++) {
                sinks.add(new SinkStage(names.get(i), replaced.get(i), context.forComponent(PluginRegistry.SINK, names.get(i)), null));
            }
        } else {
            for (ComponentBlock s : b.sinks()) {
                RuntimeContext own = context.forComponent(PluginRegistry.SINK, s.name());
                sinks.add(new SinkStage(s.name(), s.create((SinkFactory) s.factory(), own), own, s.content() + given));
            }
        }
        if (sinks.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, (config.listed() ? "pipeline " + config.name() + " has " : "")
                    + "no sinks configured: messages are decoded, filtered and counted, but replicated nowhere; add sinks: to replicate");
        }
        List<SourceRunner> sources = new ArrayList<>();
        if (replacementSources != null) {
            List<Source> replaced = List.copyOf(replacementSources.apply(context));
            List<String> names = ComponentBlocks.generatedNames("replay", replaced.size());
            for (int i = 0; i < replaced.size(); i++) {
                sources.add(runner(names.get(i), config, several, replaced.get(i),
                        context.forComponent(PluginRegistry.SOURCE, names.get(i)), null));
                captures.add(new InjectionLoopCheck.Capture(config.prefix() + "source " + names.get(i), null,
                        replaced.get(i).capturesFrom()));
            }
        } else {
            for (ComponentBlock s : b.sources()) {
                RuntimeContext own = context.forComponent(PluginRegistry.SOURCE, s.name());
                Source source = s.create((SourceFactory) s.factory(), own);
                // A source's identity is its block alone: it reads packets and is given nothing else that a reload changes.
                sources.add(runner(s.name(), config, several, source, own, s.content()));
                captures.add(new InjectionLoopCheck.Capture(s.what(), s.config().node(), source.capturesFrom()));
            }
        }
        PacketPath path = new PacketPath(config.name(), Pipeline.chain(sinks, configured), sinks, listener, metrics);
        return new Pipeline(config.name(), context, sources, sinks, configured, path);
    }

    private static SourceRunner runner(String name, PipelineConfig config, boolean several, Source source,
                                       RuntimeContext context, String identity) {
        return new SourceRunner(name, several ? config.name() + "-" + name : name, source, context, identity);
    }

    /**
     * The cluster's own networks, which every component sees as {@code excludedNetworks()}:
     * {@code cluster.networks}, what every filter of every pipeline (built or only checked) says it
     * excludes, and what the caller added. The runtime knows no filter type and no app key here.
     */
    private List<Cidr> clusterNetworks(NodeSettings settings, List<Blocks> pipelines) {
        Set<Cidr> out = new LinkedHashSet<>(settings.clusterNetworks());
        for (Blocks p : pipelines) {
            for (ComponentBlock b : p.filters()) {
                out.addAll(b.excludedNetworks());
            }
        }
        out.addAll(addedClusterNetworks);
        return List.copyOf(out);
    }
}
