package dev.pmtud.app.gopmtud;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.Values;
import java.util.ArrayList;
import java.util.List;

/**
 * One go-pmtud setting as given, with where it came from ({@code --nflog_group} on the command line,
 * or {@code PMTUD_NFLOG_GROUP} from the environment), so that every mistake names that place in one
 * line.
 *
 * @param text  the value as written
 * @param where the flag or the environment variable that gave it
 */
record Given(String text, String where) {

    /** A configuration mistake about this setting: {@code go-pmtud flags: WHERE is 'TEXT'; PROBLEM}. */
    ConfigException error(String problem) {
        return new ConfigException(GoPmtudFlags.WHERE, 0, where + " is '" + text + "'; " + problem);
    }

    /** A whole number in {@code [min, max]}. */
    int number(int min, int max, String what) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > 10 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw error("give " + what + ", a number from " + min + " to " + max);
        }
        long v = Long.parseLong(t);
        if (v < min || v > max) {
            throw error("give " + what + ", a number from " + min + " to " + max);
        }
        return (int) v;
    }

    /** Comma-separated items, blanks dropped (pflag's string slices are CSV). */
    List<String> items() {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",", -1)) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    /** IP address literals, in their usual text form. */
    List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (String s : items()) {
            try {
                out.add(Values.formatAddress(Values.parseAddress(s)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(GoPmtudFlags.WHERE, 0, where + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** Networks in CIDR form. */
    List<String> networks() {
        List<String> out = new ArrayList<>();
        for (String s : items()) {
            try {
                out.add(Cidr.parse(s).toString());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(GoPmtudFlags.WHERE, 0, where + ": " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * A listen address as go-pmtud takes it: {@code :30040} (every address), {@code host:port},
     * {@code [v6]:port}, or (its releases before 2024 took an int) a bare port number. {@code 0}
     * turns the listener off, as controller-runtime's bind address {@code "0"} does.
     *
     * @return the address as {@code metrics.listen} takes it, or {@code null} for off
     */
    String listenAddress() {
        String t = text.trim();
        if (t.equals("0")) {
            return null;
        }
        if (!t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            t = ":" + t;
        }
        int colon = t.lastIndexOf(':');
        String host = colon < 0 ? "" : t.substring(0, colon);
        String port = colon < 0 ? "" : t.substring(colon + 1);
        boolean portOk = !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9')
                && Integer.parseInt(port) <= 65535;
        boolean hostOk = host.isEmpty() || (host.startsWith("[") && host.endsWith("]") && looksLikeAddress(host))
                || (!host.contains(":") && !host.contains("[") && !host.isBlank());
        if (colon < 0 || !portOk || !hostOk) {
            throw error("give an address to listen on, like :30040, 127.0.0.1:30040 or [::1]:30040 (or a port, or 0 for none)");
        }
        return t;
    }

    private static boolean looksLikeAddress(String bracketed) {
        try {
            Values.parseAddress(bracketed);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
