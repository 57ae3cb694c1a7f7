package dev.pmtud.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/** Parsers for the value syntaxes the configuration uses. Errors say how to write it right. */
public final class Values {
    private Values() {
    }

    /** {@code 500ms}, {@code 1s}, {@code 5m}, {@code 1h}, {@code 250us}, {@code 0s}. */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        String unit = t.substring(i).trim();
        if (i == 0 || unit.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write it with a unit: 500ms, 1s, 5m, 1h");
        }
        double n;
        try {
            n = Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write it like 500ms, 1s, 5m, 1h");
        }
        double nanos;
        switch (unit) {
            case "ns": nanos = n; break;
            case "us": case "µs": nanos = n * 1e3; break;
            case "ms": nanos = n * 1e6; break;
            case "s": nanos = n * 1e9; break;
            case "m": nanos = n * 60e9; break;
            case "h": nanos = n * 3600e9; break;
            default:
                throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + unit + "'; use ns, us, ms, s, m or h");
        }
        if (nanos > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        return Duration.ofNanos((long) nanos);
    }

    /** {@code 4096}, {@code 64KiB}, {@code 4MiB}, {@code 1GiB} (also KB/MB/GB as powers of 1000). */
    public static long parseSize(String text) {
        String t = text.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write it like 65536, 64KiB or 4MiB");
        }
        long n;
        try {
            n = Long.parseLong(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
        long unit;
        switch (t.substring(i).trim()) {
            case "": case "B": unit = 1; break;
            case "KiB": case "k": case "K": unit = 1L << 10; break;
            case "MiB": case "M": unit = 1L << 20; break;
            case "GiB": case "G": unit = 1L << 30; break;
            case "KB": unit = 1000; break;
            case "MB": unit = 1000_000; break;
            case "GB": unit = 1000_000_000; break;
            default:
                throw new IllegalArgumentException("'" + text + "' has an unknown unit; use B, KiB, MiB or GiB (4MiB)");
        }
        if (n > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
        return n * unit;
    }

    /**
     * An address as people write it: dotted quad for IPv4, RFC 5952 for IPv6 ({@code 2001:db8::2},
     * not Java's {@code 2001:db8:0:0:0:0:0:2}): lower case, the longest run of two or more zero
     * groups (the first of equal runs) compressed to {@code ::}.
     */
    public static String formatAddress(InetAddress address) {
        byte[] a = address.getAddress();
        return formatAddress(a, 0, a.length);
    }

    /** {@link #formatAddress(InetAddress)} for 4 or 16 bytes at {@code buf[off]}. */
    public static String formatAddress(byte[] buf, int off, int length) {
        if (length == 4) {
            return (buf[off] & 0xff) + "." + (buf[off + 1] & 0xff) + "." + (buf[off + 2] & 0xff) + "." + (buf[off + 3] & 0xff);
        }
        if (length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + length);
        }
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = (buf[off + 2 * i] & 0xff) << 8 | (buf[off + 2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }

    /**
     * Parses an IPv4 or IPv6 address literal. Never resolves a host name: a name is an error here.
     */
    public static InetAddress parseAddress(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        boolean looksLikeIp = !t.isEmpty() && (t.indexOf(':') >= 0 || t.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.'));
        if (looksLikeIp && t.indexOf(':') < 0) {
            String[] parts = t.split("\\.", -1);
            looksLikeIp = parts.length == 4;
            for (String p : parts) {
                looksLikeIp &= !p.isEmpty() && p.length() <= 3 && Integer.parseInt(p) <= 255;
            }
        }
        if (looksLikeIp && t.indexOf(':') >= 0) {
            looksLikeIp = t.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%');
        }
        if (!looksLikeIp) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address (write 192.0.2.1 or 2001:db8::1)");
        }
        try {
            return InetAddress.getByName(t); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address (write 192.0.2.1 or 2001:db8::1)");
        }
    }
}
