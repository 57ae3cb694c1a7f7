package dev.pmtud.app.config;

import dev.pmtud.api.ConfigException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns snakeyaml's multi-line parser message into one located line that says where (the line, and
 * the key on it), what the parser expected, where the construct it was reading began when that is
 * another line, and the likely fix:
 * <pre>
 * pmtud.yaml:4: YAML syntax error at key 'filters': while parsing a flow mapping that starts on line 3:
 *   expected ',' or '}', but got :; check the indentation and quoting on this line or the one before
 * </pre>
 */
final class YamlSyntaxError {
    /** A mapping key: a plain word followed by ':' and a blank, the end of the line or a flow delimiter. */
    private static final Pattern KEY = Pattern.compile("([A-Za-z0-9_][A-Za-z0-9_.-]*)\\s*:(?=\\s|$|[,}\\]])");

    private YamlSyntaxError() {
    }

    static ConfigException of(String file, String text, MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        int line = mark != null ? mark.getLine() + 1 : 0;
        String source = ConfigErrorReport.lineOf(text, line);
        String key = source == null ? null : keyAt(source, mark.getColumn());
        String where = "YAML syntax error" + (key != null ? " at key '" + key + "'" : "") + ": ";
        String problem = e.getProblem() != null ? e.getProblem() : oneLine(e.getMessage());
        if (problem.contains("'\\t'") || problem.contains("\\t(TAB)")) {
            return new ConfigException(file, line, where + "a tab is used for indentation; YAML allows only spaces there, replace the tab with spaces");
        }
        String context = "";
        if (e.getContext() != null) {
            Mark started = e.getContextMark();
            boolean elsewhere = started != null && started.getLine() + 1 != line;
            context = e.getContext() + (elsewhere ? " that starts on line " + (started.getLine() + 1) : "") + ": ";
        }
        String hint = "; check the indentation and quoting on this line or the one before";
        String s = source == null ? "" : source;
        if (s.contains("${") && (s.contains("{ ") || s.contains("[") || context.contains("flow"))) {
            // ${VAR} inside { } or [ ] reads as YAML braces: a common first mistake with substitution.
            hint = "; inside { } or [ ], quote a value that uses ${VAR}: \"${VAR}\"";
        }
        return new ConfigException(file, line, where + context + oneLine(problem) + hint);
    }

    /**
     * The key whose value the parser was reading at {@code column} (0-based): the last key that starts
     * at or before it, else the first key on the line; {@code null} when the line has none.
     */
    static String keyAt(String line, int column) {
        Matcher m = KEY.matcher(line);
        String first = null;
        String last = null;
        while (m.find()) {
            if (first == null) {
                first = m.group(1);
            }
            if (m.start(1) <= column) {
                last = m.group(1);
            }
        }
        return last != null ? last : first;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\n\\s*", " ").trim();
    }
}
