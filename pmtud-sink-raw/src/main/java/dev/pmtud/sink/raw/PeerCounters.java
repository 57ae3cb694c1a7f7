package dev.pmtud.sink.raw;

import dev.pmtud.api.Metrics;
import dev.pmtud.sys.Errno;

/**
 * {@code pmtud_peer_sent_total}, {@code pmtud_peer_send_failed_total} and
 * {@code pmtud_peer_send_errors_total} of one peer, created once and kept across peer-set changes
 * (metric lookups allocate; the hot path must not). The first two exist at zero from the start; each
 * errno's series appears with its first error and also counts into {@code send_failed}.
 */
final class PeerCounters {
    static final String SENT = "pmtud_peer_sent_total";
    static final String FAILED = "pmtud_peer_send_failed_total";
    static final String ERRORS = "pmtud_peer_send_errors_total";
    static final String NO_MAC = "no-mac";

    private final Metrics metrics;
    private final String[] tags;
    final Metrics.Counter sent;
    private final Metrics.Counter failed;
    private int[] errnos = new int[0];
    private Metrics.Counter[] errors = new Metrics.Counter[0];
    private Metrics.Counter noMac;

    PeerCounters(Metrics metrics, String node, String sink, String peer) {
        this.metrics = metrics;
        this.tags = new String[] {"node", node, "sink", sink, "peer", peer};
        this.sent = metrics.counter(SENT, "Messages a sink sent to one peer", tags);
        this.failed = metrics.counter(FAILED, "Messages a sink failed to send to one peer, every errno", tags);
    }

    /** An address as people write it: IPv6 in RFC 5952 form ({@code 2001:db8::2}, not Java's long form). */
    static String label(java.net.InetAddress a) {
        return dev.pmtud.api.Values.formatAddress(a);
    }

    /** The error counter for {@code errno}, created on its first use (an error path). */
    Metrics.Counter error(int errno) {
        for (int i = 0; i < errnos.length; i++) {
            if (errnos[i] == errno) {
                return errors[i];
            }
        }
        Metrics.Counter c = errorCounter(Errno.name(errno));
        errnos = java.util.Arrays.copyOf(errnos, errnos.length + 1);
        errors = java.util.Arrays.copyOf(errors, errors.length + 1);
        errnos[errnos.length - 1] = errno;
        errors[errors.length - 1] = c;
        return c;
    }

    /** {@code errno="no-mac"}: l2-unicast had no link-layer address for the peer. */
    Metrics.Counter noMac() {
        if (noMac == null) {
            noMac = errorCounter(NO_MAC);
        }
        return noMac;
    }

    private Metrics.Counter errorCounter(String errnoLabel) {
        Metrics.Counter own = metrics.counter(ERRORS, "Messages a sink failed to send to one peer, by errno",
                tags[0], tags[1], tags[2], tags[3], tags[4], tags[5], "errno", errnoLabel);
        return new Metrics.Counter() { // counts into send_failed too: the two never disagree
            @Override
            public void increment() {
                own.increment();
                failed.increment();
            }

            @Override
            public void add(long amount) {
                own.add(amount);
                failed.add(amount);
            }

            @Override
            public long count() {
                return own.count();
            }
        };
    }
}
