package dev.pmtud.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Creates one kind of component from its configuration block. Implementations are found with
 * {@link java.util.ServiceLoader} through the four sub-interfaces.
 *
 * @param <T> what it creates
 */
public interface ComponentFactory<T> {

    /** The {@code type:} value that selects this factory, kebab-case, unique per kind. */
    String type();

    /** One line for {@code pmtud plugins} and the configuration reference. */
    String description();

    /**
     * Every key this component accepts besides {@code type}. The runtime rejects any other key
     * with the file, the line and this list, before {@link #create} is called.
     */
    Set<String> keys();

    /**
     * Builds the component. Report bad values with {@link ComponentConfig#error}, which names the
     * file and line. Must not touch the kernel: that belongs in {@code open()} / {@code start()}.
     */
    T create(ComponentConfig config, PipelineContext context);

    /**
     * Files whose contents configure the component besides its block, like a key file. A reload
     * keeps a running component whose block is unchanged; it replaces one when the contents of a
     * file named here changed, so that editing the file and reloading takes effect. Never a file the
     * component writes (its contents change as it runs). Called while the configuration is built;
     * bad values are reported as {@link #create} reports them.
     */
    default List<Path> configurationFiles(ComponentConfig config) {
        return List.of();
    }
}
