package dev.pmtud.sink.raw;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Values;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * l3's loop guard. An l3 copy leaves from this node's own address, so a peer that captures it would
 * replicate it again, unless the peers' network is excluded from capture ({@code cluster.networks},
 * the exclude-networks filter, the managed rule's {@code exclude-sources}). Opening is refused when no network is
 * excluded or a peer is outside them; a peer that appears later outside them is warned about.
 */
final class LoopSafety {
    private final ComponentConfig config;
    private final PipelineContext context;
    private final String label;
    private final System.Logger log;

    LoopSafety(RawSettings settings, PipelineContext context, System.Logger log) {
        this.config = settings.config();
        this.context = context;
        this.label = settings.label();
        this.log = log;
    }

    /** At open: throws a {@link dev.pmtud.api.ConfigException} at {@code mode:} when {@code peers} are not all covered. */
    void check(Set<InetAddress> peers) {
        List<Cidr> excluded = context.excludedNetworks();
        Set<String> uncovered = uncovered(excluded, peers, new TreeSet<>());
        if (excluded.isEmpty() || !uncovered.isEmpty()) {
            String which = excluded.isEmpty() ? "no source network is excluded at all"
                    : "peers " + String.join(", ", uncovered) + " are not inside any excluded network (" + excluded + ")";
            throw config.error("mode", "is l3, which re-sends from this node's own address, but " + which
                    + ", so copies from peers would be replicated again (a loop); add the peers' network to "
                    + "cluster.networks (or to an exclude-networks filter or to rules.exclude-sources)");
        }
    }

    /** For a new peer snapshot ({@code v4} then {@code v6}, what will be sent to): warns about peers outside every exclusion. */
    void warnUncovered(List<InetAddress> v4, List<InetAddress> v6) {
        List<Cidr> excluded = context.excludedNetworks();
        List<String> uncovered = uncovered(excluded, v6, uncovered(excluded, v4, new ArrayList<>()));
        if (!uncovered.isEmpty()) {
            log.log(System.Logger.Level.WARNING, "raw sink {0} (l3): peers {1} are outside every excluded network; "
                    + "their copies may be replicated again (add them to cluster.networks, an exclude-networks filter or rules.exclude-sources)",
                    label, uncovered);
        }
    }

    /** Adds to {@code into} the label of every one of {@code peers} outside all {@code excluded} networks. */
    private static <C extends Collection<String>> C uncovered(List<Cidr> excluded, Collection<InetAddress> peers, C into) {
        for (InetAddress p : peers) {
            if (!covered(excluded, p)) {
                into.add(Values.formatAddress(p));
            }
        }
        return into;
    }

    private static boolean covered(List<Cidr> excluded, InetAddress a) {
        for (Cidr c : excluded) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }
}
