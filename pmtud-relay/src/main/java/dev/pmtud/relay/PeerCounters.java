package dev.pmtud.relay;

import dev.pmtud.api.Metrics;
import dev.pmtud.api.Values;
import java.net.InetAddress;

/**
 * {@code pmtud_peer_sent_total{sink,peer}}, {@code pmtud_peer_send_failed_total{sink,peer}} and
 * {@code pmtud_peer_send_errors_total{sink,peer,errno}} of one peer (the raw sink's names and
 * labels), created once and kept across peer-set changes: metric lookups allocate, the hot path must
 * not. The first two exist at zero from the start; an errno's series appears with its first error
 * and also counts into {@code send_failed}, so an alert on the failure ratio sees a first burst.
 */
final class PeerCounters {
    static final String SENT = "pmtud_peer_sent_total";
    static final String FAILED = "pmtud_peer_send_failed_total";
    static final String ERRORS = "pmtud_peer_send_errors_total";

    final Metrics.Counter sent;
    private final ErrnoCounters errors;

    PeerCounters(Metrics metrics, String node, String sink, InetAddress peer) {
        String[] tags = {"node", node, "sink", sink, "peer", Values.formatAddress(peer)};
        this.sent = metrics.counter(SENT, "Messages a sink sent to one peer", tags);
        Metrics.Counter failed = metrics.counter(FAILED, "Messages a sink failed to send to one peer, every errno", tags);
        this.errors = new ErrnoCounters(metrics, failed, ERRORS, "Messages a sink failed to send to one peer, by errno", tags);
    }

    /** The error counter for {@code errno}, created on its first use (an error path); counts into send_failed too. */
    Metrics.Counter error(int errno) {
        return errors.of(errno);
    }
}
