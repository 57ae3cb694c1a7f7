package dev.pmtud.api;

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
}
