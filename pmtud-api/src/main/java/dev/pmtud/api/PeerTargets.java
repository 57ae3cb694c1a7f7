package dev.pmtud.api;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The peers a sink sends to, one by one, and each one's {@link PeerCounters}: a peer snapshot minus
 * this node's own addresses (and loopback and wildcard addresses, whichever provider let one
 * through), so that a sink never sends to itself. Counters are made when a peer is first seen, so
 * its {@code pmtud_peer_sent_total} series exists at zero from then on, and kept when it leaves
 * and comes back. For the sink's control path (a new snapshot): allocates.
 */
public final class PeerTargets {
    private final PipelineContext context;
    private final String sink;
    private final IntFunction<String> errnoNames;
    private final Map<InetAddress, PeerCounters> counters = new HashMap<>();

    /** @param sink the sink's label, the {@code sink} tag */
    public PeerTargets(PipelineContext context, String sink, IntFunction<String> errnoNames) {
        this.context = context;
        this.sink = sink;
        this.errnoNames = errnoNames;
    }

    /** Whether {@code address} is this node itself: one of {@code own}, a loopback or a wildcard address. */
    public static boolean isSelf(InetAddress address, Set<InetAddress> own) {
        return own.contains(address) || address.isLoopbackAddress() || address.isAnyLocalAddress();
    }

    /** The peers of {@code snapshot} to send to, in its order, none of them this node ({@code own} are its addresses). */
    public List<InetAddress> select(Set<InetAddress> snapshot, Set<InetAddress> own) {
        List<InetAddress> out = new ArrayList<>(snapshot.size());
        for (InetAddress p : snapshot) {
            if (!isSelf(p, own)) {
                counters(p);
                out.add(p);
            }
        }
        return out;
    }

    /** The counters of {@code peer}, made now if it has none yet. */
    public PeerCounters counters(InetAddress peer) {
        return counters.computeIfAbsent(peer, a -> new PeerCounters(context.metrics(), context.nodeName(), sink, a, errnoNames));
    }

    /** The counters of each of {@code peers}, in order: what a batch built for them counts into. */
    public PeerCounters[] counters(List<InetAddress> peers) {
        PeerCounters[] out = new PeerCounters[peers.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counters(peers.get(i));
        }
        return out;
    }
}
