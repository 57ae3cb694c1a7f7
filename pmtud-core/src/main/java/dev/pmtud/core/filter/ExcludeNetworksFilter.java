package dev.pmtud.core.filter;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import java.util.Collection;
import java.util.List;

/**
 * Drops messages whose outer source lies in one of the given networks: typically the cluster's own
 * nodes, whose copies must not be replicated again (the iptables rule's {@code ! -s}).
 */
public final class ExcludeNetworksFilter implements Filter {
    public static final String EXCLUDED = "excluded-source-network";
    private static final Verdict DROP_EXCLUDED = Verdict.drop(EXCLUDED);

    private final Cidr[] v4;
    private final Cidr[] v6;

    public ExcludeNetworksFilter(List<Cidr> networks) {
        this.v4 = networks.stream().filter(c -> c.addressLength() == 4).toArray(Cidr[]::new);
        this.v6 = networks.stream().filter(c -> c.addressLength() == 16).toArray(Cidr[]::new);
    }

    @Override
    public Verdict apply(Packet packet) {
        Cidr[] networks = packet.ipVersion() == 4 ? v4 : v6;
        byte[] buf = packet.buffer();
        int at = packet.outerSourceOffset();
        int len = packet.addressLength();
        for (Cidr c : networks) {
            if (c.contains(buf, at, len)) {
                return DROP_EXCLUDED;
            }
        }
        return Verdict.PASS;
    }

    @Override
    public Collection<String> dropReasons() {
        return List.of(EXCLUDED);
    }
}
