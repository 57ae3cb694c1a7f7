package dev.pmtud.app.config;

import dev.pmtud.api.ConfigException;
import java.util.function.Function;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in configuration scalars with values from the
 * environment, the way a DaemonSet passes the node name through the downward API. {@code $${}
 * writes a literal {@code ${}. An unset variable without a default is an error, because silently
 * substituting nothing would turn a missing node name into an empty metric label.
 */
final class EnvSubstitution {
    private final Function<String, String> environment;

    EnvSubstitution(Function<String, String> environment) {
        this.environment = environment;
    }

    /** @param file, line where the scalar is, for errors */
    String apply(String text, String file, int line) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (c == '$' && text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    throw new ConfigException(file, line, "'" + text + "' has '${' without a closing '}'; write ${VAR} or ${VAR:-default} (or $${ for a literal ${)");
                }
                out.append(resolve(text.substring(i + 2, end), file, line));
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private String resolve(String expression, String file, int line) {
        int dash = expression.indexOf(":-");
        String name = dash < 0 ? expression : expression.substring(0, dash);
        if (!isName(name)) {
            throw new ConfigException(file, line, "'${" + expression + "}' is not a variable reference; write ${VAR} or ${VAR:-default} with VAR made of letters, digits and _");
        }
        String value = environment.apply(name);
        if (value != null && !(dash >= 0 && value.isEmpty())) {
            return value;
        }
        if (dash >= 0) {
            return expression.substring(dash + 2);
        }
        throw new ConfigException(file, line, "environment variable " + name + " is not set; set it or give a default: ${" + name + ":-value}");
    }

    private static boolean isName(String s) {
        if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }
}
