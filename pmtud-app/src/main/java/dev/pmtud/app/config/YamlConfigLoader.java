package dev.pmtud.app.config;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a YAML file into a {@link ConfigNode} tree that remembers the file and 1-based line of
 * every value. It composes snakeyaml's node graph instead of constructing Java objects, because
 * only the node graph keeps line numbers, and it does its own duplicate-key check for the same
 * reason. Every problem is a {@link ConfigException} whose message is one line.
 */
public final class YamlConfigLoader {
    private final EnvSubstitution env;

    public YamlConfigLoader(Function<String, String> environment) {
        this.env = new EnvSubstitution(environment);
    }

    /** Substitutes from the process environment. */
    public static YamlConfigLoader withSystemEnvironment() {
        return new YamlConfigLoader(System::getenv);
    }

    public ConfigNode load(Path path) {
        String file = path.toString();
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, 0, "no such file; give the path of a YAML configuration (see examples/pmtud.yaml)");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException(file, 0, "is not UTF-8 text; save the configuration as UTF-8");
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot be read (" + e.getMessage() + "); check the path and its permissions");
        }
        return parse(file, text);
    }

    /** Parses {@code text} as if it were the contents of {@code file}. */
    public ConfigNode parse(String file, String text) {
        Node root;
        try (Reader reader = new StringReader(text)) {
            root = new Yaml(loaderOptions()).compose(reader);
        } catch (MarkedYAMLException e) {
            throw YamlSyntaxError.of(file, text, e);
        } catch (YAMLException e) {
            throw new ConfigException(file, 0, "is not valid YAML: " + YamlSyntaxError.oneLine(e.getMessage()));
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringReader does not fail
        }
        if (root == null) {
            throw new ConfigException(file, 1, "the file is empty; it needs at least 'sources:' (see examples/pmtud.yaml)");
        }
        ConfigNode tree = new Converter(file).convert(root, line(root));
        if (!tree.isMap()) {
            throw tree.error("the top level must be a map of node, metrics, peers, pipelines (or sources, filters, sinks), rules; found " + tree.describeKind());
        }
        return tree;
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setCodePointLimit(4 * 1024 * 1024); // a configuration, not a data set
        return options;
    }

    private static int line(Node node) {
        return node.getStartMark() != null ? node.getStartMark().getLine() + 1 : 0;
    }

    /** Walks one document; knows the file for messages and which nodes it has seen (aliases). */
    private final class Converter {
        private final String file;
        private final Map<Node, Boolean> seen = new IdentityHashMap<>();

        Converter(String file) {
            this.file = file;
        }

        /** @param at the line this value is reported at (a map value: its key's line) */
        ConfigNode convert(Node node, int at) {
            if (node.getAnchor() != null || seen.put(node, Boolean.TRUE) != null) {
                throw new ConfigException(file, line(node), "anchors (&name) and aliases (*name) are not supported; write the value out where it is used");
            }
            if (node instanceof MappingNode) {
                return map((MappingNode) node, at);
            }
            if (node instanceof SequenceNode) {
                List<ConfigNode> items = new ArrayList<>();
                for (Node item : ((SequenceNode) node).getValue()) {
                    items.add(convert(item, line(item)));
                }
                return ConfigNode.list(file, at, items);
            }
            ScalarNode scalar = (ScalarNode) node;
            if (Tag.NULL.equals(scalar.getTag())) {
                return ConfigNode.empty(file, at);
            }
            return ConfigNode.scalar(file, at, env.apply(scalar.getValue(), file, line(node)));
        }

        private ConfigNode map(MappingNode node, int at) {
            Map<String, ConfigNode> entries = new LinkedHashMap<>();
            Map<String, Integer> keyLines = new LinkedHashMap<>();
            for (NodeTuple tuple : node.getValue()) {
                Node keyNode = tuple.getKeyNode();
                int keyLine = line(keyNode);
                if (!(keyNode instanceof ScalarNode) || Tag.NULL.equals(keyNode.getTag())) {
                    throw new ConfigException(file, keyLine, "a map key must be a plain word like 'sources', not " + (keyNode instanceof ScalarNode ? "empty" : "a list or map"));
                }
                if (Tag.MERGE.equals(keyNode.getTag())) {
                    throw new ConfigException(file, keyLine, "merge keys (<<) are not supported; write the keys out");
                }
                String key = ((ScalarNode) keyNode).getValue();
                Integer first = keyLines.putIfAbsent(key, keyLine);
                if (first != null) {
                    throw new ConfigException(file, keyLine, "duplicate key '" + key + "' (first at line " + first + "); keep only one");
                }
                entries.put(key, convert(tuple.getValueNode(), keyLine));
            }
            return ConfigNode.map(file, at, entries);
        }
    }
}
