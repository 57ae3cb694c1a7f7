package dev.pmtud.app;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.core.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps every command shares before it can build a pipeline: read the configuration, load the
 * plugin directory, discover every factory. Kept apart from the commands so each of them reads as
 * what it does differently.
 */
final class Bootstrap {
    private final PmtudCommand top;
    private List<PluginDirectory.Plugin> plugins;
    private PluginRegistry registry;

    Bootstrap(PmtudCommand top) {
        this.top = top;
    }

    Cli cli() {
        return top.cli();
    }

    ConfigNode loadConfig(Path file) {
        return new YamlConfigLoader(top.cli().environment()).load(file);
    }

    /** Built-ins from the application class path first, then each plugin's own loader. */
    PluginRegistry registry() {
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

    List<PluginDirectory.Plugin> plugins() {
        if (plugins == null) {
            PmtudCommand.PluginDirectoryChoice choice = top.pluginDirectory();
            plugins = choice == null ? List.of() : PluginDirectory.load(choice.dir(), choice.explicit(), Main.class.getClassLoader());
        }
        return plugins;
    }
}
