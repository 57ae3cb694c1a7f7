package dev.pmtud.app;

import java.util.Map;
import java.util.TreeMap;

/**
 * The replay summary as JSON, exactly {@code received}, {@code invalid}, {@code dropped} (filter →
 * count) and {@code forwarded}. Written by hand: four numbers do not justify a JSON library on
 * the daemon's class path.
 */
final class SummaryJson {
    private SummaryJson() {
    }

    static String format(long received, long invalid, Map<String, Long> dropped, long forwarded) {
        StringBuilder sb = new StringBuilder("{\"received\": ").append(received)
                .append(", \"invalid\": ").append(invalid).append(", \"dropped\": {");
        boolean first = true;
        for (Map.Entry<String, Long> e : new TreeMap<>(dropped).entrySet()) {
            sb.append(first ? "" : ", ").append(quote(e.getKey())).append(": ").append(e.getValue());
            first = false;
        }
        return sb.append("}, \"forwarded\": ").append(forwarded).append("}\n").toString();
    }

    /** The human form printed after the decisions. */
    static String text(long received, long invalid, Map<String, Long> dropped, long forwarded) {
        long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder sb = new StringBuilder("summary: received ").append(received).append(", invalid ").append(invalid)
                .append(", dropped ").append(droppedTotal);
        if (!dropped.isEmpty()) {
            sb.append(" (");
            boolean first = true;
            for (Map.Entry<String, Long> e : new TreeMap<>(dropped).entrySet()) {
                sb.append(first ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
                first = false;
            }
            sb.append(')');
        }
        return sb.append(", forwarded ").append(forwarded).toString();
    }

    static String quote(String s) {
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
