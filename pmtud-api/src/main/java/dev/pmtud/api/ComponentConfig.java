package dev.pmtud.api;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Typed, located access to one component's block, for example
 * {@code { type: dedup, window: 1s }}. Every reader turns a bad value into a
 * {@link ConfigException} that names the file, the line, the key and what is allowed.
 */
public final class ComponentConfig {
    private final ConfigNode node;
    private final String what;

    /**
     * @param node the component's map
     * @param what how messages name it, e.g. {@code "filters[2] (dedup)"}
     */
    public ComponentConfig(ConfigNode node, String what) {
        if (!node.isMap()) {
            throw node.error(what + " must be a map like { type: ..., key: value }, not " + node.describeKind());
        }
        this.node = node;
        this.what = what;
    }

    public ConfigNode node() {
        return node;
    }

    /** How messages name this component. */
    public String what() {
        return what;
    }

    public String type() {
        return string("type");
    }

    public boolean has(String key) {
        ConfigNode v = node.get(key);
        return v != null && v.kind() != ConfigNode.Kind.NULL;
    }

    /** An error located at {@code key}'s value (or at the block when the key is absent). */
    public ConfigException error(String key, String problem) {
        ConfigNode v = node.get(key);
        ConfigNode at = v != null ? v : node;
        return at.error(what + ": '" + key + "' " + problem);
    }

    private ConfigNode scalar(String key) {
        ConfigNode v = node.get(key);
        if (v == null || v.kind() == ConfigNode.Kind.NULL) {
            return null;
        }
        if (!v.isScalar()) {
            throw error(key, "must be a single value, not " + v.describeKind());
        }
        return v;
    }

    public String string(String key) {
        ConfigNode v = scalar(key);
        if (v == null) {
            throw error(key, "is required");
        }
        return v.text();
    }

    public String string(String key, String defaultValue) {
        ConfigNode v = scalar(key);
        return v == null ? defaultValue : v.text();
    }

    /** One of {@code allowed}, compared exactly. */
    public String oneOf(String key, String defaultValue, String... allowed) {
        String v = defaultValue == null ? string(key) : string(key, defaultValue);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw error(key, "is '" + v + "'; allowed: " + String.join(", ", allowed));
    }

    public long integer(String key, long defaultValue, long min, long max) {
        ConfigNode v = scalar(key);
        if (v == null) {
            return defaultValue;
        }
        long n;
        try {
            n = Long.parseLong(v.text().trim());
        } catch (NumberFormatException e) {
            throw error(key, "is '" + v.text() + "'; it must be a whole number from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw error(key, "is " + n + "; it must be from " + min + " to " + max);
        }
        return n;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        return (int) integer(key, (long) defaultValue, min, max);
    }

    public boolean bool(String key, boolean defaultValue) {
        ConfigNode v = scalar(key);
        if (v == null) {
            return defaultValue;
        }
        switch (v.text().trim().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": return true;
            case "false": case "no": case "off": return false;
            default: throw error(key, "is '" + v.text() + "'; it must be true or false");
        }
    }

    public Duration duration(String key, Duration defaultValue) {
        ConfigNode v = scalar(key);
        if (v == null) {
            if (defaultValue == null) {
                throw error(key, "is required (a duration such as 500ms, 1s or 5m)");
            }
            return defaultValue;
        }
        try {
            return Values.parseDuration(v.text());
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    /** A rate such as {@code 10/s}; {@code null} default means optional (returns null when absent). */
    public Rate rate(String key, Rate defaultValue) {
        ConfigNode v = scalar(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Rate.parse(v.text());
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    public long size(String key, long defaultValue, long min, long max) {
        ConfigNode v = scalar(key);
        if (v == null) {
            return defaultValue;
        }
        long n;
        try {
            n = Values.parseSize(v.text());
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
        if (n < min || n > max) {
            throw error(key, "is " + v.text() + "; it must be from " + min + " to " + max + " bytes");
        }
        return n;
    }

    /** A list of values; a single value is accepted as a one-element list. Absent: empty. */
    public List<String> strings(String key) {
        ConfigNode v = node.get(key);
        if (v == null || v.kind() == ConfigNode.Kind.NULL) {
            return List.of();
        }
        if (v.isScalar()) {
            return List.of(v.text());
        }
        if (!v.isList()) {
            throw error(key, "must be a list like [a, b], not " + v.describeKind());
        }
        List<String> out = new ArrayList<>();
        for (ConfigNode item : v.items()) {
            if (!item.isScalar()) {
                throw item.error(what + ": '" + key + "' items must be single values, not " + item.describeKind());
            }
            out.add(item.text());
        }
        return out;
    }

    public List<Cidr> networks(String key) {
        return parseItems(key, true, Cidr.class);
    }

    public List<InetAddress> addresses(String key) {
        return parseItems(key, false, InetAddress.class);
    }

    private <T> List<T> parseItems(String key, boolean cidr, Class<T> type) {
        ConfigNode v = node.get(key);
        List<ConfigNode> items = v == null ? List.of() : v.isList() ? v.items() : List.of(v);
        strings(key); // shape check
        List<T> out = new ArrayList<>();
        for (ConfigNode item : items) {
            if (item.kind() == ConfigNode.Kind.NULL) {
                continue;
            }
            try {
                out.add(type.cast(cidr ? Cidr.parse(item.text()) : Values.parseAddress(item.text())));
            } catch (IllegalArgumentException e) {
                throw item.error(what + ": '" + key + "': " + e.getMessage());
            }
        }
        return out;
    }

    /** A nested block (e.g. {@code rules:}), or {@code null} when absent. */
    public ComponentConfig child(String key) {
        ConfigNode v = node.get(key);
        if (v == null || v.kind() == ConfigNode.Kind.NULL) {
            return null;
        }
        return new ComponentConfig(v, what + "." + key);
    }

    /** Rejects keys outside {@code allowed} (and {@code type}), naming them and the allowed ones. */
    public void checkKeys(java.util.Collection<String> allowed) {
        for (var e : node.entries().entrySet()) {
            String k = e.getKey();
            if (!k.equals("type") && !allowed.contains(k)) {
                List<String> sorted = new ArrayList<>(allowed);
                sorted.sort(null);
                String hint = closest(k, sorted);
                throw e.getValue().error(what + ": unknown key '" + k + "'"
                        + (hint != null ? " (did you mean '" + hint + "'?)" : "")
                        + "; allowed: " + (sorted.isEmpty() ? "none besides type" : String.join(", ", sorted)));
            }
        }
    }

    /** The allowed word nearest to {@code word}, when it is a likely typo. */
    public static String closest(String word, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(word, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= Math.max(1, word.length() / 3) ? best : null;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        Arrays.setAll(prev, i -> i);
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
