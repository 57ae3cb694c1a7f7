package dev.pmtud.app.gopmtud;

import java.util.Map;
import java.util.TreeMap;

/**
 * Metric families in the Prometheus text format 0.0.4 exactly as go-pmtud's client_golang writes
 * them: {@code # HELP}, {@code # TYPE}, then the samples, families sorted by name and samples by
 * label values, numbers without a needless {@code .0}. Written by hand rather than through the
 * Micrometer registry because the registry's writer (prometheus-metrics 1.x) appends {@code _total}
 * to every counter's name and TYPE line, and go-pmtud has counters without it
 * ({@code go_pmtud_sent_packets_peer}, {@code go_pmtud_peer_arp_resolve_error}): dashboards query
 * those names as they are.
 */
final class GoExposition {
    private final Map<String, StringBuilder> families = new TreeMap<>();

    /** Starts a family (its HELP and TYPE lines); samples are added with {@link #add}, in order. */
    GoExposition family(String name, String type, String help) {
        families.put(name, new StringBuilder("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n'));
        return this;
    }

    /**
     * One sample of family {@code family}: {@code name{k="v",...} value}; {@code name} differs from
     * the family's for a histogram's {@code _bucket}, {@code _sum} and {@code _count}.
     */
    GoExposition add(String family, String name, double value, String... labels) {
        StringBuilder b = families.get(family);
        b.append(name);
        if (labels.length > 0) {
            b.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                b.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(escapeLabel(labels[i + 1])).append('"');
            }
            b.append('}');
        }
        b.append(' ').append(number(value)).append('\n');
        return this;
    }

    String text() {
        StringBuilder all = new StringBuilder();
        families.values().forEach(all::append);
        return all.toString();
    }

    /** As Go's {@code strconv.FormatFloat(v, 'g', -1, 64)} reads: {@code 3}, {@code 0.25}, {@code 1.5e-05}, {@code +Inf}. */
    static String number(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v).replace('E', 'e');
    }

    private static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
