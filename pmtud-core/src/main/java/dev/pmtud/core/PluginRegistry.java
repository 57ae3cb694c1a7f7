package dev.pmtud.core;

import dev.pmtud.api.ComponentFactory;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.SinkFactory;
import dev.pmtud.api.SourceFactory;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Every source, filter, sink and peer-provider factory that {@link ServiceLoader} finds, built-in or
 * third-party alike, indexed by kind and {@code type:}. A type is unique within its kind: two jars
 * offering the same one is a setup mistake that is refused, naming both jars.
 */
public final class PluginRegistry {
    public static final String SOURCE = "source";
    public static final String FILTER = "filter";
    public static final String SINK = "sink";
    public static final String PEERS = "peers";

    /** The kinds, in the order {@code pmtud plugins} lists them. */
    public static final List<String> KINDS = List.of(SOURCE, FILTER, SINK, PEERS);

    /**
     * One factory: {@code kind} is source, filter, sink or peers; {@code origin} the jar or class
     * directory it was loaded from.
     */
    public record Plugin(String kind, String type, String description, String origin, ComponentFactory<?> factory) {
    }

    private final List<Plugin> plugins;
    private final Map<String, Map<String, Plugin>> byKind;

    private PluginRegistry(List<Plugin> plugins) {
        Map<String, Map<String, Plugin>> index = new LinkedHashMap<>();
        for (String kind : KINDS) {
            index.put(kind, new LinkedHashMap<>());
        }
        for (Plugin p : plugins) {
            Plugin previous = index.get(p.kind()).putIfAbsent(p.type(), p);
            if (previous != null) {
                throw new IllegalStateException("two " + p.kind() + " plugins have type '" + p.type() + "': "
                        + previous.factory().getClass().getName() + " from " + previous.origin() + " and "
                        + p.factory().getClass().getName() + " from " + p.origin() + "; remove one of the jars");
            }
        }
        List<Plugin> sorted = new ArrayList<>(plugins);
        sorted.sort(Comparator.comparing((Plugin p) -> KINDS.indexOf(p.kind())).thenComparing(Plugin::type));
        this.plugins = List.copyOf(sorted);
        this.byKind = index;
    }

    /**
     * Loads the factories visible through each class loader. A factory class that several loaders
     * see (through a shared parent) counts once.
     *
     * @throws IllegalStateException when a factory cannot be loaded or two jars offer the same type
     */
    public static PluginRegistry discover(List<ClassLoader> loaders) {
        List<Plugin> found = new ArrayList<>();
        Set<Class<?>> seen = new HashSet<>();
        for (ClassLoader loader : loaders) {
            load(SourceFactory.class, SOURCE, loader, seen, found);
            load(FilterFactory.class, FILTER, loader, seen, found);
            load(SinkFactory.class, SINK, loader, seen, found);
            load(PeerProviderFactory.class, PEERS, loader, seen, found);
        }
        return new PluginRegistry(found);
    }

    /** A registry of exactly these factories (tests, embedding); kinds follow their interfaces. */
    public static PluginRegistry of(Collection<? extends ComponentFactory<?>> factories) {
        List<Plugin> list = new ArrayList<>();
        for (ComponentFactory<?> f : factories) {
            list.add(plugin(kindOf(f), f));
        }
        return new PluginRegistry(list);
    }

    private static <F extends ComponentFactory<?>> void load(Class<F> service, String kind, ClassLoader loader,
                                                             Set<Class<?>> seen, List<Plugin> found) {
        try {
            for (ServiceLoader.Provider<F> provider : (Iterable<ServiceLoader.Provider<F>>)
                    ServiceLoader.load(service, loader).stream()::iterator) {
                if (seen.add(provider.type())) {
                    found.add(plugin(kind, provider.get()));
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load a " + kind + " plugin (" + service.getName() + "): "
                    + e.getMessage() + "; check the plugin jar was built against this pmtud-api", e);
        }
    }

    private static Plugin plugin(String kind, ComponentFactory<?> f) {
        return new Plugin(kind, f.type(), f.description(), origin(f.getClass()), f);
    }

    private static String kindOf(ComponentFactory<?> f) {
        if (f instanceof SourceFactory) {
            return SOURCE;
        } else if (f instanceof FilterFactory) {
            return FILTER;
        } else if (f instanceof SinkFactory) {
            return SINK;
        } else if (f instanceof PeerProviderFactory) {
            return PEERS;
        }
        throw new IllegalArgumentException(f.getClass().getName() + " implements none of SourceFactory, FilterFactory, SinkFactory, PeerProviderFactory");
    }

    /** The jar or directory a class came from, as a path when it is a file. */
    static String origin(Class<?> type) {
        CodeSource cs = type.getProtectionDomain() == null ? null : type.getProtectionDomain().getCodeSource();
        URL url = cs == null ? null : cs.getLocation();
        if (url == null) {
            return "(unknown origin)";
        }
        try {
            return Path.of(url.toURI()).toString();
        } catch (Exception e) {
            return url.toString();
        }
    }

    /** Every plugin, sorted by kind then type. */
    public List<Plugin> plugins() {
        return plugins;
    }

    public Optional<Plugin> find(String kind, String type) {
        Map<String, Plugin> m = byKind.get(kind);
        if (m == null) {
            throw new IllegalArgumentException("unknown plugin kind '" + kind + "'; kinds are " + String.join(", ", KINDS));
        }
        return Optional.ofNullable(m.get(type));
    }

    /** The known types of a kind, sorted: what an "unknown type" error lists. */
    public List<String> types(String kind) {
        Map<String, Plugin> m = byKind.get(kind);
        if (m == null) {
            throw new IllegalArgumentException("unknown plugin kind '" + kind + "'; kinds are " + String.join(", ", KINDS));
        }
        List<String> types = new ArrayList<>(m.keySet());
        types.sort(null);
        return types;
    }
}
