package dev.pmtud.app.plugins;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The parent of every plugin class loader: it shows a plugin the JDK (through the platform loader)
 * and the SPI package {@code dev.pmtud.api} (through the application loader), and nothing else.
 * So a plugin cannot link against pmtud-core or the application's libraries, and its own
 * dependencies (say, another snakeyaml) never clash with ours. This is Trino's plugin model.
 */
final class ApiOnlyClassLoader extends ClassLoader {
    static final String API_PACKAGE = "dev.pmtud.api.";
    private static final String API_RESOURCES = "dev/pmtud/api/";

    private final ClassLoader application;

    ApiOnlyClassLoader(ClassLoader application) {
        super("pmtud-api-only", ClassLoader.getPlatformClassLoader());
        this.application = application;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(API_PACKAGE)) {
            return application.loadClass(name);
        }
        return super.loadClass(name, resolve); // platform loader, then findClass: not found
    }

    @Override
    public URL getResource(String name) {
        return name.startsWith(API_RESOURCES) ? application.getResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        // Service files in particular must not leak from the application into a plugin's ServiceLoader.
        return name.startsWith(API_RESOURCES) ? application.getResources(name) : super.getResources(name);
    }

    @Override
    protected URL findResource(String name) {
        return null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        return Collections.emptyEnumeration();
    }
}
