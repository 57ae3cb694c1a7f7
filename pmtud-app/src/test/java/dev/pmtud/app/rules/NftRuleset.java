package dev.pmtud.app.rules;

import dev.pmtud.testkit.Netns;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;

/**
 * A namespace's ruleset as nft itself reads it back ({@code nft -j list ruleset}, parsed; JSON is
 * YAML): the independent view the nftables backend's tests check against.
 */
final class NftRuleset {
    private final List<Map<String, Object>> objects = new ArrayList<>();

    @SuppressWarnings("unchecked")
    static NftRuleset of(Netns ns) {
        String json = ns.exec("nft", "-j", "list", "ruleset").stdout();
        Map<String, Object> root = new Yaml().load(json);
        NftRuleset r = new NftRuleset();
        for (Object o : (List<Object>) root.get("nftables")) {
            r.objects.add((Map<String, Object>) o);
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> all(String kind) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> o : objects) {
            if (o.containsKey(kind)) {
                out.add((Map<String, Object>) o.get(kind));
            }
        }
        return out;
    }

    /** "family name" of every table. */
    Set<String> tables() {
        Set<String> out = new LinkedHashSet<>();
        for (Map<String, Object> t : all("table")) {
            out.add(t.get("family") + " " + t.get("name"));
        }
        return out;
    }

    Map<String, Object> chain(String family, String table, String name) {
        for (Map<String, Object> c : all("chain")) {
            if (family.equals(c.get("family")) && table.equals(c.get("table")) && name.equals(c.get("name"))) {
                return c;
            }
        }
        return null;
    }

    List<Map<String, Object>> rules(String family, String table, String chain) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : all("rule")) {
            if (family.equals(r.get("family")) && table.equals(r.get("table")) && chain.equals(r.get("chain"))) {
                out.add(r);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> matches(Map<String, Object> rule) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object e : (List<Object>) rule.get("expr")) {
            Map<String, Object> m = (Map<String, Object>) e;
            if (m.containsKey("match")) {
                out.add((Map<String, Object>) m.get("match"));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String key) {
        return o instanceof Map ? (Map<String, Object>) ((Map<String, Object>) o).get(key) : null;
    }

    /** The interface of {@code iifname == X}, or null. */
    static String iifname(Map<String, Object> rule) {
        for (Map<String, Object> m : matches(rule)) {
            Map<String, Object> meta = map(m.get("left"), "meta");
            if (meta != null && "iifname".equals(meta.get("key")) && "==".equals(m.get("op"))) {
                return String.valueOf(m.get("right"));
            }
        }
        return null;
    }

    /** "icmp type=destination-unreachable code=frag-needed" and the like: the protocol fields matched. */
    static String icmp(Map<String, Object> rule) {
        StringBuilder s = new StringBuilder();
        for (Map<String, Object> m : matches(rule)) {
            Map<String, Object> p = map(m.get("left"), "payload");
            if (p != null && String.valueOf(p.get("protocol")).startsWith("icmp")) {
                s.append(s.length() == 0 ? p.get("protocol") : "").append(' ').append(p.get("field")).append('=').append(m.get("right"));
            }
        }
        return s.toString();
    }

    /** The networks of every {@code saddr != NET}, as "addr/len". */
    static Set<String> excluded(Map<String, Object> rule) {
        Set<String> out = new LinkedHashSet<>();
        for (Map<String, Object> m : matches(rule)) {
            Map<String, Object> p = map(m.get("left"), "payload");
            Map<String, Object> prefix = map(m.get("right"), "prefix");
            if (p != null && "saddr".equals(p.get("field")) && "!=".equals(m.get("op")) && prefix != null) {
                out.add(prefix.get("addr") + "/" + prefix.get("len"));
            }
        }
        return out;
    }

    /** The group of the rule's {@code log group G}, or -1. */
    @SuppressWarnings("unchecked")
    static int logGroup(Map<String, Object> rule) {
        for (Object e : (List<Object>) rule.get("expr")) {
            Map<String, Object> log = map(e, "log");
            if (log != null && log.get("group") != null) {
                return ((Number) log.get("group")).intValue();
            }
        }
        return -1;
    }
}
