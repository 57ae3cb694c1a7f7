package dev.pmtud.source.nflog;

import dev.pmtud.api.Metrics;
import java.util.List;

/**
 * What the NFLOG source received from the kernel but could not hand on, each a {@code reason} of
 * {@code pmtud_source_discarded_total{source,reason}} (every series at zero from the start), so
 * that nothing is lost silently: the runtime counts what is handed on ({@code pmtud_received_total}),
 * the kernel's drops are {@code pmtud_source_lost_total}, and this is the rest.
 */
final class NflogDiscards {
    static final String METRIC = "pmtud_source_discarded_total";
    static final String HELP = "Messages a source read but could not hand on, by reason";

    /** A message whose attributes run past its end or that carries no packet; counted per message. */
    static final int MALFORMED = 0;
    /** A message of an address family the source's {@code families} leave out; counted per message. */
    static final int OTHER_FAMILY = 1;
    /** A kernel batch longer than the receive buffer: its tail (one message or more) is lost; counted per batch. */
    static final int TRUNCATED = 2;

    static final List<String> REASONS = List.of("malformed", "other-family", "truncated");

    private final Metrics.Counter[] counters = new Metrics.Counter[REASONS.size()];

    NflogDiscards(Metrics metrics, String source) {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = metrics.counter(METRIC, HELP, "source", source, "reason", REASONS.get(i));
        }
    }

    void count(int reason) {
        counters[reason].increment();
    }

    long count(String reason) {
        return counters[REASONS.indexOf(reason)].count();
    }
}
