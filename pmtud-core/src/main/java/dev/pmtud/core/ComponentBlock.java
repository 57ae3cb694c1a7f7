package dev.pmtud.core;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ComponentFactory;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.FilterFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One checked {@code { type: ..., name: ..., ... }} block: its factory is known, its keys are
 * allowed, and {@code config} carries the resolved {@code name} (so that a component can label its
 * own metrics with {@code config.string("name")}).
 */
record ComponentBlock(String type, String name, ComponentFactory<?> factory, ComponentConfig config) {

    /**
     * What the block says, without where it says it: the type, the resolved name and every key with
     * its value (after {@code ${VAR}} substitution), in a canonical order, and a digest of each file
     * the factory says configures it ({@link ComponentFactory#configurationFiles}, a key file). Two
     * blocks with the same content configure the same component: a reload keeps a running
     * component whose block did not change ({@link RuntimeReload}).
     */
    String content() {
        StringBuilder sb = new StringBuilder();
        canonical(config.node(), sb);
        List<Path> files;
        try {
            files = factory.configurationFiles(config);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw config.node().error(what() + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        }
        for (Path f : files) {
            sb.append("|file ").append(f).append(' ').append(digest(f));
        }
        return sb.toString();
    }

    /** SHA-256 of a file's contents, or why there is none (the component's open() then says what is wrong). */
    private static String digest(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            return "unreadable: " + e;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void canonical(ConfigNode node, StringBuilder sb) {
        switch (node.kind()) {
            case MAP -> {
                sb.append('{');
                new java.util.TreeMap<>(node.entries()).forEach((k, v) -> {
                    sb.append(k.length()).append(':').append(k).append('=');
                    canonical(v, sb);
                    sb.append(',');
                });
                sb.append('}');
            }
            case LIST -> {
                sb.append('[');
                for (ConfigNode item : node.items()) {
                    canonical(item, sb);
                    sb.append(',');
                }
                sb.append(']');
            }
            case SCALAR -> sb.append(node.text().length()).append('"').append(node.text());
            default -> sb.append('~');
        }
    }

    /** How messages name it: {@code filters[2] (dedup)}. */
    String what() {
        return config.what();
    }

    /** A filter block's {@link FilterFactory#excludedNetworks}, a plugin's unchecked failure located like {@link #create}'s. */
    List<Cidr> excludedNetworks() {
        if (!(factory instanceof FilterFactory f)) {
            return List.of();
        }
        try {
            return List.copyOf(f.excludedNetworks(config));
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw config.node().error(what() + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        }
    }

    /** Calls the factory, turning a plugin's unchecked failure into a located configuration error. */
    <T> T create(ComponentFactory<T> typedFactory, dev.pmtud.api.PipelineContext context) {
        T created;
        try {
            created = typedFactory.create(config, context);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw config.node().error(what() + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        }
        if (created == null) {
            throw config.node().error(what() + ": the " + type + " plugin created nothing; report this to its author");
        }
        return created;
    }
}
