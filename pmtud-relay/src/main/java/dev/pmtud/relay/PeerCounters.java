package dev.pmtud.relay;

import dev.pmtud.api.Metrics;
import dev.pmtud.api.Values;
import dev.pmtud.sys.Errno;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * {@code pmtud_peer_sent_total{sink,peer}} and {@code pmtud_peer_send_errors_total{sink,peer,errno}}
 * of one peer (the raw sink's names and labels), created once and kept across peer-set changes:
 * metric lookups allocate, the hot path must not.
 */
final class PeerCounters {
    static final String SENT = "pmtud_peer_sent_total";
    static final String ERRORS = "pmtud_peer_send_errors_total";

    private final Metrics metrics;
    private final String[] tags;
    final Metrics.Counter sent;
    private int[] errnos = new int[0];
    private Metrics.Counter[] errors = new Metrics.Counter[0];

    PeerCounters(Metrics metrics, String node, String sink, InetAddress peer) {
        this.metrics = metrics;
        this.tags = new String[] {"node", node, "sink", sink, "peer", Values.formatAddress(peer)};
        this.sent = metrics.counter(SENT, "Messages a sink sent to one peer", tags);
    }

    /** The error counter for {@code errno}, created on its first use (an error path). */
    Metrics.Counter error(int errno) {
        for (int i = 0; i < errnos.length; i++) {
            if (errnos[i] == errno) {
                return errors[i];
            }
        }
        Metrics.Counter c = metrics.counter(ERRORS, "Messages a sink failed to send to one peer, by errno",
                tags[0], tags[1], tags[2], tags[3], tags[4], tags[5], "errno", Errno.name(errno));
        errnos = Arrays.copyOf(errnos, errnos.length + 1);
        errors = Arrays.copyOf(errors, errors.length + 1);
        errnos[errnos.length - 1] = errno;
        errors[errors.length - 1] = c;
        return c;
    }
}
