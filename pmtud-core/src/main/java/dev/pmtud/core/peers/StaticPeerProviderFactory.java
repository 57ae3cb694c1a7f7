package dev.pmtud.core.peers;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PipelineContext;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code { type: static, addresses: [192.0.2.2, 2001:db8::2] }}: IP literals, never host names. */
public final class StaticPeerProviderFactory implements PeerProviderFactory {

    @Override
    public String type() {
        return "static";
    }

    @Override
    public String description() {
        return "a fixed list of peer addresses (IP literals)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("addresses");
    }

    @Override
    public PeerProvider create(ComponentConfig config, PipelineContext context) {
        List<InetAddress> addresses = config.addresses("addresses");
        if (addresses.isEmpty()) {
            throw config.error("addresses", "is empty; list the other nodes' addresses, like [192.0.2.2, 192.0.2.3]");
        }
        return new StaticPeerProvider(new LinkedHashSet<>(addresses));
    }
}
