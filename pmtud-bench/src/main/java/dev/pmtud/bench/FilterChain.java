package dev.pmtud.bench;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Builds filters exactly as the runtime does, through their {@link FilterFactory} found with
 * {@link ServiceLoader} and a {@link ComponentConfig} over a {@link ConfigNode}, from a one-line
 * spec: {@code "exclude-networks networks=198.51.100.0/24; mtu-range; dedup window=1s"}.
 * Filters are separated by {@code ;}, keys by spaces; a value with {@code ,} becomes a list.
 */
public final class FilterChain {
    private FilterChain() {
    }

    public static Filter[] build(String spec) {
        Map<String, FilterFactory> factories = new TreeMap<>();
        for (FilterFactory f : ServiceLoader.load(FilterFactory.class)) {
            factories.put(f.type(), f);
        }
        BenchContext context = new BenchContext(List.of(Cidr.parse(MessageMix.EXCLUDED_NETWORK)));
        List<ConfigNode> blocks = blocks(spec);
        Filter[] out = new Filter[blocks.size()];
        for (int index = 0; index < out.length; index++) {
            ConfigNode block = blocks.get(index);
            String type = block.get("type").text();
            FilterFactory factory = factories.get(type);
            if (factory == null) {
                throw new IllegalArgumentException("no filter type '" + type + "' on the class path; found: " + factories.keySet());
            }
            ComponentConfig cfg = new ComponentConfig(block, "filters[" + index + "] (" + type + ")");
            cfg.checkKeys(factory.keys());
            out[index] = factory.create(cfg, context);
        }
        return out;
    }

    /** The spec's filters as the {@code { type: ..., key: value }} blocks of a configuration's {@code filters:} list. */
    public static List<ConfigNode> blocks(String spec) {
        List<ConfigNode> out = new ArrayList<>();
        for (String part : spec.split(";")) {
            String[] words = part.trim().split("\\s+");
            if (words.length == 0 || words[0].isEmpty()) {
                continue;
            }
            int line = out.size() + 1;
            Map<String, ConfigNode> entries = new LinkedHashMap<>();
            entries.put("type", ConfigNode.scalar("bench", line, words[0]));
            for (int i = 1; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("'" + words[i] + "' in '" + part.trim() + "' is not key=value");
                }
                String key = words[i].substring(0, eq);
                String value = words[i].substring(eq + 1);
                if (value.indexOf(',') >= 0) {
                    List<ConfigNode> items = new ArrayList<>();
                    for (String v : value.split(",")) {
                        items.add(ConfigNode.scalar("bench", line, v));
                    }
                    entries.put(key, ConfigNode.list("bench", line, items));
                } else {
                    entries.put(key, ConfigNode.scalar("bench", line, value));
                }
            }
            out.add(ConfigNode.map("bench", line, entries));
        }
        return out;
    }
}
