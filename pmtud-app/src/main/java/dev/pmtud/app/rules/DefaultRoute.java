package dev.pmtud.app.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The interface of the default route, read from the kernel's route tables in /proc (IPv4 first,
 * then IPv6), so that finding it needs no {@code ip} binary. {@code /proc/thread-self/net} is the
 * calling thread's network namespace.
 */
final class DefaultRoute {
    private static final int RTF_UP = 0x0001;
    private static final int RTF_REJECT = 0x0200;

    private DefaultRoute() {
    }

    /** The interface, or null when there is no default route (or /proc cannot be read). */
    static String interfaceName() {
        Path net = Path.of("/proc/thread-self/net");
        String v4 = ipv4(read(net.resolve("route")));
        return v4 != null ? v4 : ipv6(read(net.resolve("ipv6_route")));
    }

    private static List<String> read(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** {@code /proc/net/route}: Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex, one header line). */
    static String ipv4(List<String> lines) {
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || !f[1].equals("00000000") || !f[7].equals("00000000")) {
                continue;
            }
            try {
                if ((Integer.parseInt(f[3], 16) & RTF_UP) != 0 && Long.parseLong(f[6]) < bestMetric) {
                    best = f[0];
                    bestMetric = Long.parseLong(f[6]);
                }
            } catch (NumberFormatException ignored) {
                // not a route line
            }
        }
        return best;
    }

    /** {@code /proc/net/ipv6_route}: dest plen src plen nexthop metric refcnt use flags iface (hex). */
    static String ipv6(List<String> lines) {
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[0].matches("0{32}") || !f[1].equals("00") || f[9].equals("lo")) {
                continue;
            }
            try {
                int flags = Integer.parseInt(f[8], 16);
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
}
