package dev.pmtud.core.peers;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PipelineContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * {@code { type: dns, name: pmtud.kube-system.svc.cluster.local, refresh: 30s, server: 127.0.0.1:53 }}:
 * the A and AAAA records of one name (a headless service lists every node).
 */
public final class DnsPeerProviderFactory implements PeerProviderFactory {

    @Override
    public String type() {
        return "dns";
    }

    @Override
    public String description() {
        return "peer addresses from the A and AAAA records of a DNS name, asked again every refresh";
    }

    @Override
    public Set<String> keys() {
        return Set.of("name", "refresh", "server");
    }

    @Override
    public PeerProvider create(ComponentConfig config, PipelineContext context) {
        String name;
        try {
            name = DnsQuery.checkName(config.string("name"));
        } catch (IllegalArgumentException e) {
            throw config.error("name", e.getMessage());
        }
        Duration refresh = config.duration("refresh", Duration.ofSeconds(30));
        if (refresh.compareTo(Duration.ofMillis(100)) < 0) {
            throw config.error("refresh", "is " + refresh.toMillis() + "ms; it must be at least 100ms");
        }
        InetSocketAddress server = null;
        if (config.has("server")) {
            try {
                server = DnsQuery.parseServer(config.string("server"));
            } catch (IllegalArgumentException e) {
                throw config.error("server", e.getMessage());
            }
        }
        return new DnsPeerProvider(name, refresh, server, Path.of("/etc/resolv.conf"), context.logger());
    }
}
