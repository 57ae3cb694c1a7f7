package dev.pmtud.core.peers;

import dev.pmtud.api.PeerListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Peers from the A and AAAA records of a name, asked every {@code refresh} of the configured
 * server or, without one, of the nameservers in {@code /etc/resolv.conf} in turn. The name is
 * asked as written (no search domains): give the fully qualified name. A failed refresh (timeout,
 * NXDOMAIN, SERVFAIL...) keeps the last good set and is reported with a reason.
 */
final class DnsPeerProvider extends PollingPeerProvider {
    private final String name;
    private final InetSocketAddress server;
    private final Path resolvConf;
    private final Duration timeout;
    private final System.Logger log;

    DnsPeerProvider(String name, Duration refresh, InetSocketAddress server, Path resolvConf, System.Logger log) {
        super("pmtud-peers-dns", refresh, Duration.ofSeconds(3));
        this.name = name;
        this.server = server;
        this.resolvConf = resolvConf;
        this.log = log;
        // a query never outlasts its refresh period
        long ms = Math.max(100, Math.min(2000, refresh.toMillis() / 3));
        this.timeout = Duration.ofMillis(ms);
    }

    @Override
    protected void poll(PeerListener listener) {
        List<InetSocketAddress> servers = server != null ? List.of(server) : nameservers();
        DnsQuery.DnsException last = null;
        for (InetSocketAddress s : servers) {
            try {
                Set<InetAddress> peers = DnsQuery.resolve(s, name, timeout);
                log.log(System.Logger.Level.DEBUG, "{0} at {1}: {2}", name, DnsQuery.hostPort(s), peers);
                report(listener, peers);
                return;
            } catch (DnsQuery.DnsException e) {
                last = e;
                if (e.reason.equals("nxdomain")) {
                    break; // an authoritative no: another server would say the same
                }
            } catch (IOException | RuntimeException e) {
                last = new DnsQuery.DnsException("error", "asking " + DnsQuery.hostPort(s) + " for " + name + ": " + e);
            }
        }
        listener.refreshFailed(last.reason, "dns " + name + ": " + last.getMessage() + "; keeping the previous peers");
    }

    /** The nameservers of resolv.conf, or 127.0.0.1:53 as the C library would use without any. */
    private List<InetSocketAddress> nameservers() {
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver")) {
                    try {
                        out.add(new InetSocketAddress(dev.pmtud.api.Values.parseAddress(f[1]), 53));
                    } catch (IllegalArgumentException e) {
                        // a line the C library would skip too
                    }
                }
            }
        } catch (IOException e) {
            // no resolv.conf: the default below
        }
        if (out.isEmpty()) {
            out.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53));
        }
        return out;
    }

    @Override
    public String toString() {
        return "dns " + name + (server != null ? " at " + DnsQuery.hostPort(server) : "") + " (refresh " + period() + ")";
    }
}
