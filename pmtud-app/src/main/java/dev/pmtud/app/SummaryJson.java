package dev.pmtud.app;

import dev.pmtud.core.Pipeline;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The replay summary as JSON, exactly {@code received}, {@code invalid}, {@code dropped} (filter →
 * count) and {@code forwarded}. Written by hand: four numbers do not justify a JSON library on
 * the daemon's class path.
 */
public final class SummaryJson {
    private SummaryJson() {
    }

    public static String format(Pipeline.Summary s) {
        return "{\"received\": " + s.received() + ", \"invalid\": " + s.invalid()
                + ", \"dropped\": {" + join(s.dropped(), SummaryJson::quote, ": ") + "}, \"forwarded\": " + s.forwarded() + "}\n";
    }

    /** The human form printed after the decisions. */
    public static String text(Pipeline.Summary s) {
        String byFilter = s.dropped().isEmpty() ? "" : " (" + join(s.dropped(), name -> name, " ") + ")";
        return "summary: received " + s.received() + ", invalid " + s.invalid() + ", dropped " + s.droppedTotal()
                + byFilter + ", forwarded " + s.forwarded();
    }

    /** {@code name<sep>count} per filter, sorted by name, separated by ", ". */
    private static String join(Map<String, Long> dropped, Function<String, String> name, String sep) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : new TreeMap<>(dropped).entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(name.apply(e.getKey())).append(sep).append(e.getValue());
        }
        return sb.toString();
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
