package dev.pmtud.app.log;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code 2026-11-27T05:09:45.123Z INFO  pipeline: message} — one line per record so that logs grep
 * and ship well; a throwable adds only its class and message, unless the level is debug or finer,
 * because operators need the cause, not a stack trace.
 */
public final class OneLineFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final boolean traces;

    public OneLineFormatter(boolean traces) {
        this.traces = traces;
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder sb = new StringBuilder(128);
        TIME.formatTo(Instant.ofEpochMilli(r.getMillis()), sb);
        sb.append(' ').append(String.format("%-5s", levelName(r.getLevel()))).append(' ')
                .append(component(r.getLoggerName())).append(": ")
                .append(formatMessage(r).replace('\n', ' '));
        Throwable t = r.getThrown();
        if (t != null) {
            sb.append(" (").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(')');
        }
        sb.append(System.lineSeparator());
        if (t != null && traces) {
            java.io.StringWriter w = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(w));
            sb.append(w);
        }
        return sb.toString();
    }

    /** The level words the CLI accepts, not JUL's SEVERE/FINE. */
    static String levelName(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    /**
     * Short component names: {@code dev.pmtud.core.Pipeline} reads {@code Pipeline} (a class),
     * {@code dev.pmtud.sink.main.log} reads {@code sink.main.log} (a component's own logger).
     */
    static String component(String loggerName) {
        if (loggerName == null || loggerName.isEmpty()) {
            return "pmtud";
        }
        String name = loggerName.startsWith("dev.pmtud.") ? loggerName.substring("dev.pmtud.".length()) : loggerName;
        int dot = name.lastIndexOf('.');
        String last = dot >= 0 ? name.substring(dot + 1) : name;
        return !last.isEmpty() && Character.isUpperCase(last.charAt(0)) ? last : name;
    }
}
