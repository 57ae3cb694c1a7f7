package dev.pmtud.api;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * The spells in which a component cannot do its job (a sink that cannot send, a source that cannot
 * capture): told once when one starts, summed up every minute while it lasts, told once when it
 * ends (never a line per message; a cause that comes and goes faster than every
 * {@value #FLAP_SECONDS} s is told once per {@value #FLAP_SECONDS} s, the next line saying how many
 * spells went untold, and a spell still lasting after that is told then), counted in {@code pmtud_sink_outages_total{sink}} or
 * {@code pmtud_source_outages_total{source}}, and answered as the component's {@link Health}.
 * <pre>
 *   Outage outage = new Outage(context, Outage.SINK, label);   // when the sink is created
 *   outage.begin("interface eth0 is gone");                   // control path: a cause seen
 *   outage.end("interface eth0 is back");
 *   outage.failed("ENODEV");  outage.delivered();              // sending path: what became of a message
 *   public Health health() { return outage.health(); }
 * </pre>
 * {@link #failed} and {@link #delivered} are for the hot path: a volatile read and a count, and an
 * allocation only when an outage starts or a summary is due. Thread-safe: transitions are
 * synchronized, so the control thread and the sending thread may both report.
 */
public final class Outage {
    public static final String SINK = "sink";
    public static final String SOURCE = "source";
    /** How often a summary is logged while an outage lasts. */
    static final long SUMMARY_NANOS = 60_000_000_000L;
    static final int FLAP_SECONDS = 10;
    /** Spells starting closer together than this after one that was told are not told one by one (a flapping cause). */
    static final long FLAP_NANOS = FLAP_SECONDS * 1_000_000_000L;

    private final System.Logger log;
    private final String who;
    private final Metrics.Counter outages;
    /** Messages not delivered during the current outage. */
    private final AtomicLong undelivered = new AtomicLong();
    private final LongSupplier clock;
    /** Why it is failing; {@code null} while it works. */
    private volatile String reason;
    private volatile long lastSummaryNanos;
    private long sinceNanos;
    private Instant since;
    /** Whether the current spell's start was logged (else its end is not either). */
    private boolean told;
    /** When a spell's start was last logged, if {@link #toldBefore}. */
    private long lastToldNanos;
    private boolean toldBefore;
    /** Spells that began and ended without a line since the last line told. */
    private long untold;

    /**
     * @param kind  {@link #SINK} or {@link #SOURCE}: the metric's name and label, and how logs name it
     * @param label the component's label ({@code name:}, default its type)
     */
    public Outage(PipelineContext context, String kind, String label) {
        this(context, kind, label, System::nanoTime);
    }

    /** With another clock ({@code System.nanoTime()}'s kind): for tests. */
    Outage(PipelineContext context, String kind, String label, LongSupplier clock) {
        this.clock = clock;
        if (!SINK.equals(kind) && !SOURCE.equals(kind)) {
            throw new IllegalArgumentException("kind is " + kind + "; use Outage.SINK or Outage.SOURCE");
        }
        this.log = context.logger();
        this.who = kind + " " + label;
        this.outages = context.metrics().counter("pmtud_" + kind + "_outages_total",
                "Spells in which the " + kind + " could not do its job (told in the log and /readyz while they last)", kind, label);
    }

    /** Control path: it cannot work, for {@code why} (one line). A new reason during an outage replaces the old one. */
    public synchronized void begin(String why) {
        if (reason == null) {
            start(why);
        } else if (!reason.equals(why)) {
            reason = why;
            log.log(System.Logger.Level.WARNING, who + ": still failing, now: " + why);
        }
    }

    /**
     * Control path: it works again ({@code how}: what changed). Nothing happens when it was not failing.
     *
     * @return whether an outage ended (and was logged)
     */
    public synchronized boolean end(String how) {
        if (reason == null) {
            return false;
        }
        long seconds = (clock.getAsLong() - sinceNanos) / 1_000_000_000L;
        if (told) {
            log.log(System.Logger.Level.INFO, who + ": working again after " + seconds + " s (" + how + "); "
                    + undelivered.get() + " messages were not delivered meanwhile");
        } else {
            untold++;
        }
        reason = null;
        undelivered.set(0);
        return true;
    }

    /**
     * Sending path: a message could not be delivered at all, for {@code why} (a constant such as an
     * errno name: it is only read when an outage starts). Starts an outage if none is under way.
     */
    public void failed(String why) {
        undelivered.incrementAndGet();
        if (reason == null) {
            synchronized (this) {
                if (reason == null) {
                    start("nothing delivered (" + why + ")");
                }
            }
        } else if (clock.getAsLong() - lastSummaryNanos >= SUMMARY_NANOS) {
            summary();
        }
    }

    /** {@link #failed(String)} for an error number, named by {@code names} only when an outage starts. */
    public void failed(int code, IntFunction<String> names) {
        if (reason == null) {
            failed(names.apply(code));
        } else {
            failed((String) null);
        }
    }

    /** Sending path: a message was delivered (to at least one peer): ends an outage under way. */
    public void delivered() {
        if (reason != null) {
            end("delivered again");
        }
    }

    /** Control path, now and then (a refresh thread): logs the summary when one is due. */
    public void tick() {
        if (reason != null && clock.getAsLong() - lastSummaryNanos >= SUMMARY_NANOS) {
            summary();
        }
    }

    public boolean failing() {
        return reason != null;
    }

    /** OK, or failing with the reason and since when. Allocates; for probes and scrapes. */
    public synchronized Health health() {
        return reason == null ? Health.OK : Health.failing(reason + " since " + since);
    }

    private void start(String why) {
        reason = why;
        sinceNanos = clock.getAsLong();
        since = Instant.now();
        outages.increment();
        told = !toldBefore || sinceNanos - lastToldNanos >= FLAP_NANOS;
        if (told) {
            toldBefore = true;
            lastToldNanos = sinceNanos;
            lastSummaryNanos = sinceNanos;
            log.log(System.Logger.Level.WARNING, who + ": failing: " + why + "; /readyz says so until it recovers"
                    + (untold == 0 ? "" : " (" + untold + " shorter spells before this one were not told one by one)"));
            untold = 0;
        } else {
            lastSummaryNanos = sinceNanos - SUMMARY_NANOS + FLAP_NANOS; // told by the summary if it lasts
        }
    }

    private synchronized void summary() {
        String why = reason;
        if (why == null) {
            return;
        }
        long now = clock.getAsLong();
        lastSummaryNanos = now;
        if (!told) {
            told = true; // its end is told too; the untold ones before it, by the next start told
            lastToldNanos = now;
        }
        log.log(System.Logger.Level.WARNING, who + ": still failing after " + (now - sinceNanos) / 1_000_000_000L + " s: " + why
                + "; " + undelivered.get() + " messages not delivered so far");
    }
}
