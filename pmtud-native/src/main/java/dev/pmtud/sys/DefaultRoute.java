package dev.pmtud.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The interface of the default route, read from the kernel's route tables in {@code /proc} (IPv4
 * first, then IPv6), so that finding it needs no {@code ip} binary. {@code /proc/thread-self/net}
 * is the calling thread's network namespace, the one sockets opened on this thread live in
 * ({@code /proc/self/net} would be the process's).
 */
public final class DefaultRoute {
    /** {@code RTF_UP}: the route is usable. */
    private static final int RTF_UP = 0x0001;
    /** {@code RTF_REJECT}: an unreachable route (IPv6 lists one on {@code lo} when there is no default). */
    private static final int RTF_REJECT = 0x0200;

    private DefaultRoute() {
    }

    /** The interface, or {@code null} when this namespace has no default route (or /proc cannot be read). */
    public static String interfaceName() {
        Path net = Path.of("/proc/thread-self/net");
        String v4 = ipv4(read(net.resolve("route")));
        return v4 != null ? v4 : ipv6(read(net.resolve("ipv6_route")));
    }

    /**
     * From {@code /proc/net/route} (a header line, then: Iface Destination Gateway Flags RefCnt Use
     * Metric Mask ..., hex): the default route (destination and mask 0) that is up, lowest metric first.
     */
    public static String ipv4(List<String> lines) {
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || !f[1].equals("00000000") || !f[7].equals("00000000")) {
                continue; // the header, or not a default route
            }
            try {
                long metric = Long.parseLong(f[6]);
                if ((Integer.parseInt(f[3], 16) & RTF_UP) != 0 && metric < bestMetric) {
                    best = f[0];
                    bestMetric = metric;
                }
            } catch (NumberFormatException ignored) {
                // not a route line
            }
        }
        return best;
    }

    /**
     * From {@code /proc/net/ipv6_route} (dest plen src plen nexthop metric refcnt use flags iface, hex):
     * the default route (::/0) that is up and not a reject route, not on {@code lo}, lowest metric first.
     */
    public static String ipv6(List<String> lines) {
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[0].matches("0{32}") || !f[1].equals("00") || f[9].equals("lo")) {
                continue;
            }
            try {
                int flags = (int) Long.parseLong(f[8], 16);
                long metric = Long.parseLong(f[5], 16);
                if ((flags & RTF_UP) != 0 && (flags & RTF_REJECT) == 0 && metric < bestMetric) {
                    best = f[9];
                    bestMetric = metric;
                }
            } catch (NumberFormatException ignored) {
                // not a route line
            }
        }
        return best;
    }

    private static List<String> read(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
