package dev.pmtud.app;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.app.config.YamlConfigLoader;
import dev.pmtud.app.plugins.PluginDirectory;
import dev.pmtud.app.rules.RuleManager;
import dev.pmtud.app.rules.RuleSettings;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.NodeRuntimeBuilder;
import dev.pmtud.core.PluginRegistry;
import dev.pmtud.core.RuntimeReload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The steps every command shares: read the configuration, load the plugin directory, discover every
 * factory, build the runtime and find its capture rule. Kept apart from the commands so each of them
 * reads as what it does differently, and a reload builds the way a start does ({@link #prepareReload}).
 */
public final class Bootstrap {
    private final Cli cli;
    private final Path pluginDir;
    private final boolean explicitPluginDir;
    private List<PluginDirectory.Plugin> plugins;
    private PluginRegistry registry;

    /**
     * @param pluginDir         the plugin directory to load, or {@code null} for none
     * @param explicitPluginDir whether the user named it (then a missing one is an error)
     */
    public Bootstrap(Cli cli, Path pluginDir, boolean explicitPluginDir) {
        this.cli = cli;
        this.pluginDir = pluginDir;
        this.explicitPluginDir = explicitPluginDir;
    }

    public Cli cli() {
        return cli;
    }

    public ConfigNode loadConfig(Path file) {
        return new YamlConfigLoader(cli.environment()).load(file);
    }

    /**
     * How every command builds {@code root}: with the registry's factories, and the cluster
     * networks its {@code rules:} block adds ({@link RuleSettings#clusterNetworks()}), so that the
     * loop checks see what the managed rule skips.
     */
    public NodeRuntimeBuilder builder(ConfigNode root, Optional<RuleSettings> rules) {
        return NodeRuntime.builder(root, registry()).clusterNetworks(rules.map(RuleSettings::clusterNetworks).orElse(List.of()));
    }

    /** The configuration file built as it is, for the commands that look at it without running it. */
    public Built build(Path configFile) {
        return build(loadConfig(configFile), builder -> { });
    }

    /**
     * {@code root} built (nothing opened yet) with its capture rule, which learns its NFLOG group
     * from the built sources and its default exclusions from the runtime's cluster networks.
     *
     * @param customize what the command adds to the builder (meters, a decision listener)
     * @throws dev.pmtud.api.ConfigException for any mistake, the runtime then closed again
     */
    public Built build(ConfigNode root, Consumer<NodeRuntimeBuilder> customize) {
        Optional<RuleSettings> rules = RuleSettings.read(root);
        NodeRuntimeBuilder builder = builder(root, rules);
        customize.accept(builder);
        NodeRuntime runtime = builder.build();
        try {
            return new Built(runtime, rules.map(s -> RuleManager.forRuntime(s, runtime)));
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /**
     * {@code root} built as {@code running} would run it after a reload (nothing running changes),
     * with its capture rule, as {@link #build(ConfigNode, Consumer)} builds a start.
     *
     * @throws dev.pmtud.api.ConfigException for any mistake; nothing was changed and nothing is left over
     */
    public Prepared prepareReload(NodeRuntime running, ConfigNode root, Consumer<NodeRuntimeBuilder> customize) {
        Optional<RuleSettings> rules = RuleSettings.read(root);
        NodeRuntimeBuilder builder = builder(root, rules);
        customize.accept(builder);
        RuntimeReload reload = running.prepareReload(builder);
        try {
            return new Prepared(reload, rules.map(s -> RuleManager.forRuntime(s, reload.next())));
        } catch (RuntimeException e) {
            reload.discard();
            throw e;
        }
    }

    /** A reload ready to apply, and the capture rule of the new {@code rules:} block (empty without one). */
    public record Prepared(RuntimeReload reload, Optional<RuleManager> rules) {
    }

    /** A built runtime and the capture rule of its {@code rules:} block (empty without one); closing closes the runtime. */
    public record Built(NodeRuntime runtime, Optional<RuleManager> rules) implements AutoCloseable {
        @Override
        public void close() {
            runtime.close();
        }
    }

    /** Built-ins from the application class path first, then each plugin's own loader. */
    public PluginRegistry registry() {
        if (registry == null) {
            List<ClassLoader> loaders = new ArrayList<>();
            loaders.add(Main.class.getClassLoader());
            for (PluginDirectory.Plugin p : plugins()) {
                loaders.add(p.loader());
            }
            try {
                registry = PluginRegistry.discover(loaders);
            } catch (IllegalStateException e) {
                throw new StartupException(e.getMessage(), e);
            }
        }
        return registry;
    }

    private List<PluginDirectory.Plugin> plugins() {
        if (plugins == null) {
            plugins = pluginDir == null ? List.of() : PluginDirectory.load(pluginDir, explicitPluginDir, Main.class.getClassLoader());
        }
        return plugins;
    }
}
