package dev.pmtud.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of a parsed configuration file, with the file and line it came from. Scalars are kept
 * as the text written (after environment substitution); typed reading happens in
 * {@link ComponentConfig}, which is where errors can say what was allowed.
 */
public final class ConfigNode {

    public enum Kind { MAP, LIST, SCALAR, NULL }

    private final Kind kind;
    private final Object value;
    private final String file;
    private final int line;

    private ConfigNode(Kind kind, Object value, String file, int line) {
        this.kind = kind;
        this.value = value;
        this.file = file;
        this.line = line;
    }

    public static ConfigNode map(String file, int line, Map<String, ConfigNode> entries) {
        return new ConfigNode(Kind.MAP, Collections.unmodifiableMap(new LinkedHashMap<>(entries)), file, line);
    }

    public static ConfigNode list(String file, int line, List<ConfigNode> items) {
        return new ConfigNode(Kind.LIST, List.copyOf(items), file, line);
    }

    public static ConfigNode scalar(String file, int line, String text) {
        return new ConfigNode(Kind.SCALAR, text, file, line);
    }

    public static ConfigNode empty(String file, int line) {
        return new ConfigNode(Kind.NULL, null, file, line);
    }

    public Kind kind() {
        return kind;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public boolean isMap() {
        return kind == Kind.MAP;
    }

    public boolean isList() {
        return kind == Kind.LIST;
    }

    public boolean isScalar() {
        return kind == Kind.SCALAR;
    }

    @SuppressWarnings("unchecked")
    public Map<String, ConfigNode> entries() {
        return kind == Kind.MAP ? (Map<String, ConfigNode>) value : Map.of();
    }

    @SuppressWarnings("unchecked")
    public List<ConfigNode> items() {
        return kind == Kind.LIST ? (List<ConfigNode>) value : List.of();
    }

    /** The scalar's text, or {@code null} for maps, lists and empty values. */
    public String text() {
        return kind == Kind.SCALAR ? (String) value : null;
    }

    public ConfigNode get(String key) {
        return entries().get(key);
    }

    /** A {@link ConfigException} located at this node. */
    public ConfigException error(String problem) {
        return new ConfigException(file, line, problem);
    }

    /** What a user would call this kind of value, for messages: "a map", "a list", "a value". */
    public String describeKind() {
        switch (kind) {
            case MAP: return "a map";
            case LIST: return "a list";
            case SCALAR: return "a value";
            default: return "nothing";
        }
    }

    @Override
    public String toString() {
        return kind == Kind.SCALAR ? (String) value : kind + "@" + file + ":" + line;
    }
}
