package dev.pmtud.sink.raw;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: raw, mode: l3|l2-unicast|l2-broadcast|ipip, interface: eth0, ttl: 1, source: ADDR,
 * refresh: 30s }}. Creating touches nothing in the kernel; {@link Sink#open()} opens the sockets.
 */
public final class RawSinkFactory implements SinkFactory {
    /** The TTL of l3 copies unless configured: go-pmtud's 1, the peers share the segment. */
    static final int DEFAULT_TTL_L3 = 1;
    /** ipip exists for peers behind routers, so its outer TTL defaults to a routable 64. */
    static final int DEFAULT_TTL_IPIP = 64;

    @Override
    public String type() {
        return "raw";
    }

    @Override
    public String description() {
        return "replicates messages to the peers over raw sockets: l3 (fresh IP header), l2-unicast (frame to each "
                + "peer's MAC), l2-broadcast (frame to ff:ff:ff:ff:ff:ff) or ipip (IPv4-in-IPv4 / IPv6-in-IPv6)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("mode", "interface", "ttl", "source", "refresh");
    }

    @Override
    public Sink create(ComponentConfig config, PipelineContext context) {
        Set<String> allowed = new java.util.HashSet<>(keys());
        allowed.add("name");
        config.checkKeys(allowed);
        Mode mode = Mode.of(config.oneOf("mode", "l3", Mode.names()));
        String iface = config.string("interface", null);
        if (iface != null && (iface.isBlank() || iface.length() > 15 || iface.contains("/") || iface.contains(" "))) {
            throw config.error("interface", "is '" + iface + "'; it must be an interface name such as eth0 (at most 15 characters)");
        }
        if (mode.linkLayer()) {
            for (String ipOnly : List.of("ttl", "source")) {
                if (config.has(ipOnly)) {
                    throw config.error(ipOnly, "does not apply to mode " + mode.text + ", which sends the original packet verbatim; "
                            + "remove it or use mode l3 or ipip");
                }
            }
        }
        int ttl = config.integer("ttl", mode == Mode.IPIP ? DEFAULT_TTL_IPIP : DEFAULT_TTL_L3, 1, 255);
        List<InetAddress> sources = config.addresses("source");
        long v4 = sources.stream().filter(a -> a instanceof Inet4Address).count();
        if (v4 > 1 || sources.size() - v4 > 1) {
            throw config.error("source", "lists " + sources + "; give at most one IPv4 and one IPv6 address");
        }
        Duration refresh = config.duration("refresh", Duration.ofSeconds(30));
        if (refresh.compareTo(Duration.ofMillis(100)) < 0) {
            throw config.error("refresh", "is " + refresh.toMillis() + "ms; it must be at least 100ms");
        }
        return new RawSink(new RawSettings(config, config.string("name", "raw"), mode, iface, ttl, sources, refresh), context);
    }
}
