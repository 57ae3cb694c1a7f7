package dev.pmtud.peers.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes label selector in its string form ({@code kubectl get nodes -l ...}), evaluated
 * here rather than by the API server: a node that is relabelled out of the selector then shows up
 * as an ordinary update of a watched object, so the peer set shrinks without relying on the
 * server's synthetic DELETED events.
 *
 * <p>Understands {@code k=v}, {@code k==v}, {@code k!=v}, {@code k}, {@code !k},
 * {@code k in (a,b)}, {@code k notin (a,b)}, comma-separated (all must hold). An empty selector
 * matches every node.
 */
final class LabelSelector {

    private enum Op { EQUALS, NOT_EQUALS, EXISTS, NOT_EXISTS, IN, NOT_IN }

    private record Requirement(String key, Op op, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            switch (op) {
                case EQUALS: case IN: return v != null && values.contains(v);
                case NOT_EQUALS: case NOT_IN: return v == null || !values.contains(v);
                case EXISTS: return v != null;
                default: return v == null;
            }
        }
    }

    private final List<Requirement> requirements;
    private final String text;

    private LabelSelector(List<Requirement> requirements, String text) {
        this.requirements = requirements;
        this.text = text;
    }

    /** The selector written at {@code key} of a block (absent: every object); a bad one is that key's error. */
    static LabelSelector from(dev.pmtud.api.ComponentConfig config, String key) {
        try {
            return parse(config.string(key, ""));
        } catch (IllegalArgumentException e) {
            throw config.error(key, e.getMessage());
        }
    }

    /** @throws IllegalArgumentException with a message that shows how to write it */
    static LabelSelector parse(String text) {
        List<Requirement> out = new ArrayList<>();
        for (String part : splitTopLevel(text)) {
            String p = part.trim();
            if (p.isEmpty()) {
                if (splitTopLevel(text).size() > 1) {
                    throw bad(text, "has an empty requirement between commas");
                }
                continue;
            }
            out.add(requirement(text, p));
        }
        return new LabelSelector(List.copyOf(out), text.trim());
    }

    private static Requirement requirement(String whole, String p) {
        int paren = p.indexOf('(');
        if (paren >= 0) {
            if (!p.endsWith(")")) {
                throw bad(whole, "has an unclosed '(' in '" + p + "'");
            }
            String[] head = p.substring(0, paren).trim().split("\\s+");
            if (head.length != 2 || !(head[1].equals("in") || head[1].equals("notin"))) {
                throw bad(whole, "'" + p + "' must read 'key in (a,b)' or 'key notin (a,b)'");
            }
            Set<String> values = new java.util.LinkedHashSet<>();
            for (String v : p.substring(paren + 1, p.length() - 1).split(",")) {
                values.add(value(whole, v.trim()));
            }
            return new Requirement(key(whole, head[0]), head[1].equals("in") ? Op.IN : Op.NOT_IN, Set.copyOf(values));
        }
        int ne = p.indexOf("!=");
        if (ne >= 0) {
            return new Requirement(key(whole, p.substring(0, ne)), Op.NOT_EQUALS, Set.of(value(whole, p.substring(ne + 2))));
        }
        int eq = p.indexOf('=');
        if (eq >= 0) {
            String v = p.startsWith("==", eq) ? p.substring(eq + 2) : p.substring(eq + 1);
            return new Requirement(key(whole, p.substring(0, eq)), Op.EQUALS, Set.of(value(whole, v)));
        }
        if (p.startsWith("!")) {
            return new Requirement(key(whole, p.substring(1)), Op.NOT_EXISTS, Set.of());
        }
        return new Requirement(key(whole, p), Op.EXISTS, Set.of());
    }

    private static String key(String whole, String k) {
        String t = k.trim();
        if (t.isEmpty() || !t.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == '/')) {
            throw bad(whole, "has a bad label key '" + t + "'");
        }
        return t;
    }

    private static String value(String whole, String v) {
        String t = v.trim();
        if (!t.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
            throw bad(whole, "has a bad label value '" + t + "'");
        }
        return t;
    }

    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static IllegalArgumentException bad(String whole, String problem) {
        return new IllegalArgumentException("'" + whole + "' " + problem
                + "; write it as kubectl's -l does, e.g. \"node-role.kubernetes.io/worker=\" or \"zone in (a,b),!excluded\"");
    }

    boolean matches(Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        for (Requirement r : requirements) {
            if (!r.matches(l)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
