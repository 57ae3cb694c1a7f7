package dev.pmtud.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A Prometheus text exposition, parsed just enough to read counters by name and labels. */
public final class PromText {
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private PromText(List<Sample> samples) {
        this.samples = samples;
    }

    public static PromText parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            String rest;
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            if (brace >= 0 && (space < 0 || brace < space)) {
                name = line.substring(0, brace);
                int i = brace + 1;
                while (i < line.length() && line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String key = line.substring(i, eq).strip();
                    int q = eq + 2; // after ="
                    StringBuilder v = new StringBuilder();
                    while (line.charAt(q) != '"') {
                        if (line.charAt(q) == '\\') {
                            q++;
                            char c = line.charAt(q);
                            v.append(c == 'n' ? '\n' : c);
                        } else {
                            v.append(line.charAt(q));
                        }
                        q++;
                    }
                    labels.put(key, v.toString());
                    i = q + 1;
                    if (i < line.length() && line.charAt(i) == ',') {
                        i++;
                    }
                }
                rest = line.substring(i + 1).strip();
            } else {
                name = line.substring(0, space);
                rest = line.substring(space + 1).strip();
            }
            String value = rest.split("\\s+")[0];
            out.add(new Sample(name, labels, value.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(value)));
        }
        return new PromText(out);
    }

    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name.equals(name)).toList();
    }

    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name.equals(name));
    }

    /** Sum of every series of {@code name} whose labels pass {@code where}. */
    public double sum(String name, Predicate<Map<String, String>> where) {
        return samples.stream().filter(s -> s.name.equals(name) && where.test(s.labels)).mapToDouble(Sample::value).sum();
    }

    public double sum(String name) {
        return sum(name, l -> true);
    }
}
