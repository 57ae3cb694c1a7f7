package dev.pmtud.app.plugins;

import dev.pmtud.app.StartupException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns a plugin directory into class loaders: each {@code *.jar} directly inside it, and each
 * sub-directory (its jars, or the sub-directory itself as a class tree when it holds no jar), gets
 * its own {@link URLClassLoader} whose parent is an {@link ApiOnlyClassLoader}. One loader per
 * plugin keeps plugins from seeing each other's classes, as in Trino.
 */
public final class PluginDirectory {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.plugins");

    /** One plugin: where it came from and its loader. */
    public record Plugin(Path origin, URLClassLoader loader) {
    }

    private PluginDirectory() {
    }

    /**
     * @param dir       the directory to scan
     * @param explicit  whether the user named it (then a missing directory is an error, not a warning)
     * @throws StartupException when an explicitly given directory does not exist
     */
    public static List<Plugin> load(Path dir, boolean explicit, ClassLoader application) {
        if (!Files.isDirectory(dir)) {
            if (explicit) {
                throw new StartupException("plugin directory " + dir + " does not exist or is not a directory; create it or fix --plugin-dir");
            }
            LOG.log(System.Logger.Level.DEBUG, "no plugin directory at {0}; only built-in components are available", dir);
            return List.of();
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read plugin directory {0} ({1}); continuing with built-in components only", dir, e.getMessage());
            return List.of();
        }
        ApiOnlyClassLoader parent = new ApiOnlyClassLoader(application);
        List<Plugin> plugins = new ArrayList<>();
        for (Path entry : entries) {
            List<URL> urls = classPath(entry);
            if (urls.isEmpty()) {
                continue; // a README or other file: not a plugin
            }
            if (!Files.isReadable(entry)) {
                LOG.log(System.Logger.Level.WARNING, "plugin {0} is not readable; skipped", entry);
                continue;
            }
            plugins.add(new Plugin(entry, new URLClassLoader("plugin:" + entry.getFileName(), urls.toArray(URL[]::new), parent)));
            LOG.log(System.Logger.Level.DEBUG, "plugin {0}: class path {1}", entry, urls);
        }
        return plugins;
    }

    private static List<URL> classPath(Path entry) {
        try {
            if (Files.isRegularFile(entry)) {
                return isJar(entry) ? List.of(entry.toUri().toURL()) : List.of();
            }
            if (!Files.isDirectory(entry)) {
                return List.of();
            }
            List<URL> jars = new ArrayList<>();
            try (Stream<Path> s = Files.list(entry)) {
                for (Path p : s.sorted().toList()) {
                    if (Files.isRegularFile(p) && isJar(p)) {
                        jars.add(p.toUri().toURL());
                    }
                }
            }
            return jars.isEmpty() ? List.of(entry.toUri().toURL()) : jars;
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read plugin {0} ({1}); skipped", entry, e.getMessage());
            return List.of();
        }
    }

    private static boolean isJar(Path p) {
        return p.getFileName().toString().endsWith(".jar");
    }
}
