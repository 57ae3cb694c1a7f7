package dev.pmtud.core;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.PipelineContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One pipeline as the configuration declares it: an item of the top-level {@code pipelines:} list,
 * or, in the single-pipeline form, the top level's own {@code sources}, {@code filters} and
 * {@code sinks} (a pipeline named {@value PipelineContext#SINGLE_PIPELINE}). The sections are the
 * nodes as written ({@code null} when absent); their blocks are checked when the runtime is built.
 *
 * @param declaredAt the pipeline's map (the list item, or the top level in the single form)
 * @param listed     whether it comes from {@code pipelines:} (messages then name the pipeline)
 */
public record PipelineConfig(String name, ConfigNode declaredAt, boolean listed, ConfigNode sources, ConfigNode filters,
                             ConfigNode sinks) {
    /** The keys of one item of {@code pipelines:}. */
    public static final List<String> KEYS = List.of("name", "sources", "filters", "sinks");
    /** Top-level keys every pipeline shares. */
    private static final List<String> SHARED = List.of("node", "metrics", "cluster", "peers", "rules");
    /** The component sections, which the single-pipeline form writes at the top level. */
    private static final List<String> SECTIONS = List.of("sources", "filters", "sinks");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final String NAME_RULE = "lower-case letters, digits and '-', starting with a letter or digit (like replicate)";

    /**
     * Every pipeline of a configuration, in the order written, after checking the top-level keys,
     * that the two forms are not mixed, and each item's keys and name.
     *
     * @throws dev.pmtud.api.ConfigException naming file:line, what is wrong and what is allowed
     */
    public static List<PipelineConfig> read(ConfigNode root) {
        ConfigNode top = ConfigRoot.requireMap(root);
        ConfigRoot.checkKeys(top);
        ConfigNode list = top.get("pipelines");
        if (list == null) {
            return List.of(new PipelineConfig(PipelineContext.SINGLE_PIPELINE, top, false,
                    top.get("sources"), top.get("filters"), top.get("sinks")));
        }
        for (String section : SECTIONS) {
            ConfigNode single = top.get(section);
            if (single != null) {
                throw single.error(section + ": at the top level (line " + single.line() + ") and pipelines: (line "
                        + list.line() + ") do not mix; move " + section + " into an item of pipelines:, or remove pipelines:"
                        + " and keep the single-pipeline form");
            }
        }
        if (!list.isList() || list.items().isEmpty()) {
            throw list.error("pipelines must be a list of { name: NAME, sources: [...], filters: [...], sinks: [...] }, not "
                    + (list.isList() ? "an empty list" : list.describeKind()));
        }
        List<PipelineConfig> out = new ArrayList<>();
        Map<String, Integer> lineOf = new HashMap<>();
        List<ConfigNode> items = list.items();
        for (int i = 0; i < items.size(); i++) {
            ConfigNode item = items.get(i);
            String where = "pipelines[" + i + "]";
            if (!item.isMap()) {
                throw item.error(where + " must be a map like { name: NAME, sources: [...], filters: [...], sinks: [...] }, not "
                        + item.describeKind());
            }
            if (item.get("type") != null) {
                throw item.get("type").error(where + ": unknown key 'type'; allowed: " + String.join(", ", sorted(KEYS)));
            }
            for (String shared : SHARED) {
                if (item.get(shared) != null) {
                    throw item.get(shared).error(where + ": '" + shared + "' is shared by every pipeline; write it at the top level,"
                            + " not inside a pipeline (a pipeline takes " + String.join(", ", sorted(KEYS)) + ")");
                }
            }
            new ComponentConfig(item, where).checkKeys(KEYS);
            ConfigNode n = item.get("name");
            if (n == null || n.kind() == ConfigNode.Kind.NULL) {
                throw item.error(where + ": 'name' is required: " + NAME_RULE);
            }
            String name = n.isScalar() ? n.text().trim() : "";
            if (!n.isScalar() || !NAME.matcher(name).matches()) {
                throw n.error(where + ": name '" + (n.isScalar() ? n.text() : n.describeKind()) + "' is not allowed; a pipeline's name is "
                        + NAME_RULE);
            }
            Integer previous = lineOf.putIfAbsent(name, n.line());
            if (previous != null) {
                throw n.error(where + ": name '" + name + "' is already used by the pipeline at line " + previous
                        + "; pipeline names must be unique");
            }
            out.add(new PipelineConfig(name, item, true, item.get("sources"), item.get("filters"), item.get("sinks")));
        }
        return List.copyOf(out);
    }

    /** The names of every pipeline, in the order written. */
    public static List<String> names(ConfigNode root) {
        return read(root).stream().map(PipelineConfig::name).toList();
    }

    /** What messages put before a section's item: empty in the single form, {@code pipeline NAME, } otherwise. */
    String prefix() {
        return listed ? "pipeline " + name + ", " : "";
    }

    ConfigNode section(String section) {
        return switch (section) {
            case "sources" -> sources;
            case "filters" -> filters;
            case "sinks" -> sinks;
            default -> throw new IllegalArgumentException("no section " + section + "; use sources, filters or sinks");
        };
    }

    private static List<String> sorted(List<String> keys) {
        List<String> s = new ArrayList<>(keys);
        s.sort(null);
        return s;
    }
}
