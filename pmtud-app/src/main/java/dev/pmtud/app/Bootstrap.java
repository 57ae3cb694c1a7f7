package dev.pmtud.app;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.app.config.YamlConfigLoader;
import dev.pmtud.app.plugins.PluginDirectory;
import dev.pmtud.core.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps every command shares before it can build a pipeline: read the configuration, load the
 * plugin directory, discover every factory. Kept apart from the commands so each of them reads as
 * what it does differently.
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
