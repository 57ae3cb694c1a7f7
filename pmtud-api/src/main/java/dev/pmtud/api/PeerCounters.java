package dev.pmtud.api;

import java.net.InetAddress;
import java.util.function.IntFunction;

/**
 * What a sink that addresses peers one by one reports per peer: {@code pmtud_peer_sent_total{sink,peer}},
 * {@code pmtud_peer_send_failed_total{sink,peer}} (both at zero from the start) and
 * {@code pmtud_peer_send_errors_total{sink,peer,errno}} (each errno's series from its first error) (the {@code errno} label is an errno name
 * such as {@code EHOSTUNREACH}, or a reason without one such as {@code no-mac}). Made once per peer
 * ({@link PeerTargets} keeps them across peer-set changes): metric lookups allocate, the hot path
 * must not. The {@code peer} label is the address as people write it ({@link Values#formatAddress}).
 */
public final class PeerCounters {
    public static final String SENT = "pmtud_peer_sent_total";
    public static final String ERRORS = "pmtud_peer_send_errors_total";
    /** Every failed message of one peer, whatever its errno: exists at zero from the start, unlike {@link #ERRORS}' series. */
    public static final String FAILED = "pmtud_peer_send_failed_total";

    private final Metrics.Counter sent;
    private final Metrics.Counter failed;
    private final ErrorCounters errors;

    /** @param errnoNames the label value of an errno ({@code 113} to {@code EHOSTUNREACH}) */
    public PeerCounters(Metrics metrics, String node, String sink, InetAddress peer, IntFunction<String> errnoNames) {
        String[] tags = {"node", node, "sink", sink, "peer", Values.formatAddress(peer)};
        this.sent = metrics.counter(SENT, "Messages a sink sent to one peer", tags);
        this.failed = metrics.counter(FAILED, "Messages a sink failed to send to one peer, every errno", tags);
        this.errors = new ErrorCounters(metrics, failed, ERRORS, "Messages a sink failed to send to one peer, by errno",
                "errno", errnoNames, tags);
    }

    /** Messages sent to the peer. */
    public Metrics.Counter sent() {
        return sent;
    }

    /** Messages that failed, whatever the errno: every {@link #error} counter counts into it too. */
    public Metrics.Counter failed() {
        return failed;
    }

    /** Messages that failed with {@code errno}; the series appears with the first. */
    public Metrics.Counter error(int errno) {
        return errors.of(errno);
    }

    /** Messages that failed for a reason that is no errno ({@code no-mac}); the series appears with the first. */
    public Metrics.Counter error(String reason) {
        return errors.of(reason);
    }

    /**
     * Counts one message to each of the first {@code n} peers: {@code results[i]} is 0 when it went
     * to {@code counters[i]}'s peer, else the errno it failed with (what a batch send reports).
     */
    public static void count(PeerCounters[] counters, int[] results, int n) {
        for (int i = 0; i < n; i++) {
            if (results[i] == 0) {
                counters[i].sent.increment();
            } else {
                counters[i].error(results[i]).increment();
            }
        }
    }
}
