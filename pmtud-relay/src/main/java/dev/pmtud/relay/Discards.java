package dev.pmtud.relay;

import dev.pmtud.api.Metrics;
import java.util.List;

/**
 * Why the udp source refused a datagram, each a {@code reason} of
 * {@code pmtud_source_discarded_total{source,reason}}: every series exists at zero from the start.
 * A refused datagram is never handed on.
 */
final class Discards {
    static final String METRIC = "pmtud_source_discarded_total";

    /** Its source address is not in the current peer set. */
    static final int NOT_A_PEER = 0;
    /** A key is set but the datagram is not in the signed format (a bare packet, a bad magic or version). */
    static final int UNAUTHENTICATED = 1;
    /** Signed with a key whose id is in no line of the key file. */
    static final int UNKNOWN_KEY = 2;
    /** The MAC does not match: altered, or signed with another key that has the same id. */
    static final int BAD_MAC = 3;
    /** Its timestamp is more than max-age before this node's clock. */
    static final int TOO_OLD = 4;
    /** Its timestamp is more than max-age after this node's clock. */
    static final int FROM_THE_FUTURE = 5;
    /** Accepted once already (the seen-set has it). */
    static final int REPLAYED = 6;
    /** Shorter than its header, MAC and the IP packet's own length say, or larger than the receive buffer. */
    static final int TRUNCATED = 7;
    /** The seen-set is full of unexpired entries: refused so that no datagram can be accepted twice. */
    static final int SEEN_SET_FULL = 8;
    /** A signed datagram reached a source without a key-file, which reads bare packets only. */
    static final int SIGNED_WITHOUT_KEY = 9;

    static final List<String> REASONS = List.of("not-a-peer", "unauthenticated", "unknown-key", "bad-mac", "too-old",
            "from-the-future", "replayed", "truncated", "seen-set-full", "signed-without-key");

    private final Metrics.Counter[] counters = new Metrics.Counter[REASONS.size()];

    Discards(Metrics metrics, String node, String source) {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = metrics.counter(METRIC, "Messages a source read but could not hand on, by reason",
                    "node", node, "source", source, "reason", REASONS.get(i));
        }
    }

    void count(int reason) {
        counters[reason].increment();
    }

    long count(String reason) {
        return counters[REASONS.indexOf(reason)].count();
    }
}
