package dev.pmtud.app.rules;

import dev.pmtud.api.Metrics;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.PollSet;
import dev.pmtud.sys.nftables.NftChange;
import dev.pmtud.sys.nftables.NftMonitor;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a running daemon's capture rule in place: one thread that reads nf_tables notifications
 * ({@link NftMonitor}) and checks the rules ({@link RuleManager#checkRestoring}) as soon as a change
 * concerns them, and in any case every {@code every}: the fallback for lost notifications, for
 * iptables-legacy (whose rules are no nf_tables objects) and for a kernel that refuses the
 * subscription.
 *
 * <p>What the kernel would have logged while the rule was missing is unknowable, so the window is
 * what is counted: each outage ({@code pmtud_rules_outages_total{detection}}: noticed through a
 * {@code notification} or by the {@code poll}), the seconds it lasted
 * ({@code pmtud_rules_missing_seconds_total}) and the rules put back
 * ({@code pmtud_rules_restored_total}), and one log line each naming what was deleted and by which
 * process. An outage lasts from the notification of the deletion (for the poll, from the previous check
 * that found the rule in place: it cannot tell when in between) to the rule's return. A check whose
 * repair fails is logged and retried at the next notification or period; the outage then lasts until
 * one succeeds.
 */
final class RuleWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.rules");
    static final String RESTORED = RuleWatchCounts.RESTORED;
    static final String OUTAGES = RuleWatchCounts.OUTAGES;
    static final String MISSING_SECONDS = RuleWatchCounts.MISSING_SECONDS;
    /** How long close() waits for a check in progress (an iptables command may wait for the xtables lock). */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(35);

    /** Subscribes to nf_tables notifications (tests: inside a namespace). */
    interface Notifications {
        NftMonitor open() throws NativeException;
    }

    private final RuleManager rules;
    private final long periodNanos;
    private final Metrics.Counter restored;
    private final Metrics.Counter byNotification;
    private final Metrics.Counter byPoll;
    private final AtomicLong missingNanos;
    private final Thread thread;
    private volatile boolean closing;
    private volatile PollSet poll;

    // The watch thread's own state.
    private NftMonitor monitor;
    /** A notification asked for a check. */
    private boolean checkNow;
    /** When the first change since the last good check was announced, and what it was; 0/null: none. */
    private long noticedAt;
    private String noticed;
    /** The transaction of the first notice is still being read (it ends with a GENERATION). */
    private boolean awaitingProcess;
    private int noticedRank;
    /** When the last check that left every rule in place began. */
    private long lastGood;

    /**
     * Starts watching; the rules were just installed.
     *
     * @param notifications how to subscribe, or null when the backend's rules raise none
     */
    RuleWatch(RuleManager rules, Duration every, RuleWatchCounts counts, Notifications notifications) {
        this.rules = rules;
        this.periodNanos = Math.max(1, every.toNanos());
        this.restored = counts.restored;
        this.byNotification = counts.byNotification;
        this.byPoll = counts.byPoll;
        this.missingNanos = counts.missingNanos;
        this.lastGood = System.nanoTime();
        String how;
        if (notifications == null) {
            how = "by a check every " + seconds(every) + " (iptables-legacy rules raise no nf_tables notifications)";
        } else {
            try {
                monitor = notifications.open();
                how = "at once through nf_tables notifications, and by a check every " + seconds(every);
            } catch (NativeException e) {
                how = "by a check every " + seconds(every) + " (" + e.getMessage() + ")";
            }
        }
        try {
            poll = pollSet();
        } catch (NativeException e) {
            closeMonitor();
            throw new RuleException("cannot watch the capture rule: " + e.getMessage());
        }
        LOG.log(System.Logger.Level.INFO, "a deleted " + rules.backendName() + " capture rule for NFLOG group " + rules.group() + " is noticed " + how);
        thread = new Thread(this::run, "pmtud-rules-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private PollSet pollSet() throws NativeException {
        return monitor == null ? new PollSet() : new PollSet(monitor.fd());
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private void run() {
        long next = System.nanoTime() + periodNanos;
        try {
            while (!closing) {
                long waitMillis = Math.max(0, (next - System.nanoTime() + 999_999) / 1_000_000);
                PollSet p = poll;
                int r = p.await((int) Math.min(waitMillis, Integer.MAX_VALUE));
                if (r == PollSet.WOKEN) {
                    return;
                }
                if (r > 0 && monitor != null && p.readable(0)) {
                    read();
                }
                if (checkNow || System.nanoTime() - next >= 0) {
                    check();
                    next = System.nanoTime() + periodNanos;
                }
            }
        } catch (NativeException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the capture rule watch stopped: " + e.getMessage() + "; a deleted rule is no longer put back");
        } finally {
            closeMonitor();
        }
    }

    private void read() throws NativeException {
        boolean complete;
        try {
            complete = monitor.drain(this::changed);
        } catch (NativeException e) {
            // Never seen on a netlink socket; without it the watch goes on with the periodic check.
            LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; nf_tables notifications no longer read, the rule is checked every "
                    + seconds(Duration.ofNanos(periodNanos)));
            closeMonitor();
            PollSet old = poll;
            poll = pollSet();
            old.close();
            if (closing) {
                poll.wakeup(); // close() may have woken the old one
            }
            return;
        }
        if (!complete) {
            notice("nf_tables notifications were lost (the socket overran): the ruleset is read again", false);
        }
    }

    private void changed(NftChange c) {
        if (c.kind() == NftChange.Kind.GENERATION) {
            if (awaitingProcess && c.process() != null) {
                noticed += " by process " + c.process(); // the transaction that did it ends with who committed it
            }
            awaitingProcess = false;
        } else if (rules.concerns(c)) {
            if (awaitingProcess && rank(c) > noticedRank) {
                noticed = c.toString(); // the same transaction deleted more: name the table rather than each rule in it
                noticedRank = rank(c);
            }
            notice(c.toString(), true);
            noticedRank = Math.max(noticedRank, rank(c));
        }
    }

    private static int rank(NftChange c) {
        return switch (c.kind()) {
            case DELETE_TABLE -> 3;
            case DELETE_CHAIN -> 2;
            default -> 1;
        };
    }

    /** Asks for a check now; the first notice since the last good check dates a possible outage. */
    private void notice(String what, boolean change) {
        checkNow = true;
        if (noticed == null) {
            noticedAt = System.nanoTime();
            noticed = what;
            awaitingProcess = change;
        }
    }

    private void check() {
        boolean announced = noticed != null;
        long since = announced ? noticedAt : lastGood;
        long began = System.nanoTime();
        checkNow = false;
        int n;
        try {
            n = rules.checkRestoring();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "checking the " + rules.backendName() + " capture rule failed: " + e.getMessage()
                    + (announced ? " (after: " + noticed + ")" : "") + "; trying again at the next change or check");
            return;
        }
        long now = System.nanoTime();
        if (n > 0) {
            (announced ? byNotification : byPoll).increment();
            missingNanos.addAndGet(now - since);
            restored.add(n);
            LOG.log(System.Logger.Level.WARNING, "the " + rules.backendName() + " capture rule for NFLOG group " + rules.group() + " had been deleted ("
                    + (announced ? noticed : "found missing by the check every " + seconds(Duration.ofNanos(periodNanos)))
                    + "); re-added " + n + " rule(s); it was missing for " + (now - since) / 1_000_000 + " ms"
                    + (announced ? " (noticed through an nf_tables notification)" : " at most (since the previous check found it in place)"));
        }
        noticed = null;
        noticedRank = 0;
        awaitingProcess = false;
        lastGood = began;
    }

    private void closeMonitor() {
        if (monitor != null) {
            monitor.close();
            monitor = null;
        }
    }

    /** Stops the thread (waiting for a check in progress) and unsubscribes. */
    @Override
    public void close() {
        closing = true;
        poll.stop(thread, CLOSE_WAIT.toMillis()); // a check still running keeps the set; it ends on its own
    }
}
