package dev.pmtud.sink.raw;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The interface of the default route, read from {@code /proc/thread-self/net/route} (then
 * {@code ipv6_route}): the calling thread's network namespace, which is the one sockets opened on
 * this thread live in ({@code /proc/self/net} would be the process's).
 */
final class DefaultRoute {
    private DefaultRoute() {
    }

    /** The interface name, or {@code null} when this namespace has no default route. */
    static String interfaceName() {
        String v4 = fromIpv4(read("route"));
        return v4 != null ? v4 : fromIpv6(read("ipv6_route"));
    }

    static String fromIpv4(List<String> lines) {
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || f[0].equals("Iface")) {
                continue;
            }
            int flags = Integer.parseInt(f[3], 16);
            boolean up = (flags & 0x1) != 0;
            if (up && f[1].equals("00000000") && f[7].equals("00000000")) {
                long metric = Long.parseLong(f[6]);
                if (metric < bestMetric) {
                    bestMetric = metric;
                    best = f[0];
                }
            }
        }
        return best;
    }

    static String fromIpv6(List<String> lines) {
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10) {
                continue;
            }
            int flags = (int) Long.parseLong(f[8], 16);
            boolean up = (flags & 0x1) != 0;
            boolean reject = (flags & 0x0200) != 0;
            if (up && !reject && f[0].matches("0{32}") && f[1].equals("00") && !f[9].equals("lo")) {
                long metric = Long.parseLong(f[5], 16);
                if (metric < bestMetric) {
                    bestMetric = metric;
                    best = f[9];
                }
            }
        }
        return best;
    }

    private static List<String> read(String file) {
        try {
            return Files.readAllLines(Path.of("/proc/thread-self/net/" + file));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
