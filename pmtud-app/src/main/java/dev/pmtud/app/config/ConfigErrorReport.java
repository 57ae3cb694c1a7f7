package dev.pmtud.app.config;

import dev.pmtud.api.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A configuration mistake as the command line shows it: the one-line message ({@code file:line:
 * what is wrong; what is allowed}), then the line it points at, quoted from the file as compilers
 * do, so that the reader sees what is written there without opening the file:
 * <pre>
 * pmtud.yaml:3: filters[0] (dedup): unknown key 'windw' (did you mean 'window'?); allowed: max-entries, window
 *     3 |   - { type: dedup, windw: 1s }
 * </pre>
 * The quote is what the file says (before {@code ${VAR}} substitution). Mistakes that are not in a
 * readable file (go-pmtud's flags, the command line) are the message alone.
 */
public final class ConfigErrorReport {
    /** Longer lines are cut here: the quote is a reminder, not a viewer. */
    static final int MAX_QUOTE = 160;

    private ConfigErrorReport() {
    }

    /** The message, and the quoted line when {@link ConfigException#file()} is a file that has it. */
    public static String describe(ConfigException e) {
        return describe(e, read(e.file()));
    }

    /** @param text the file's contents, or {@code null} when unknown */
    static String describe(ConfigException e, String text) {
        String quoted = text == null ? null : quote(text, e.line());
        return quoted == null ? e.getMessage() : e.getMessage() + System.lineSeparator() + quoted;
    }

    /**
     * {@code "    3 | text of line 3"}, or {@code null} when {@code text} has no such line. Tabs show
     * as {@code \t} (a tab is a mistake of its own in YAML indentation), other control characters as {@code ?}.
     */
    static String quote(String text, int line) {
        String source = lineOf(text, line);
        if (source == null) {
            return null;
        }
        StringBuilder shown = new StringBuilder(Math.min(source.length(), MAX_QUOTE) + 8);
        for (int i = 0; i < source.length() && shown.length() < MAX_QUOTE; i++) {
            char c = source.charAt(i);
            if (c == '\t') {
                shown.append("\\t");
            } else {
                shown.append(Character.isISOControl(c) ? '?' : c);
            }
        }
        if (shown.length() >= MAX_QUOTE && source.length() > MAX_QUOTE) {
            shown.append(" ...");
        }
        return String.format("%6d | %s", line, shown).stripTrailing();
    }

    /** Line {@code line} (1-based) of {@code text} without its line break, or {@code null}. */
    static String lineOf(String text, int line) {
        if (line < 1) {
            return null;
        }
        int start = 0;
        for (int i = 1; i < line; i++) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                return null;
            }
            start = nl + 1;
        }
        if (start >= text.length()) {
            return null;
        }
        int end = text.indexOf('\n', start);
        String s = end < 0 ? text.substring(start) : text.substring(start, end);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static String read(String file) {
        try {
            Path p = Path.of(file);
            return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
        } catch (IOException | InvalidPathException | SecurityException e) {
            return null; // not a file (go-pmtud flags, the command line) or unreadable now: the message alone
        }
    }
}
