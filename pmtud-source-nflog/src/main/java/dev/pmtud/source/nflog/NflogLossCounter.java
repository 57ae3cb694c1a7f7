package dev.pmtud.source.nflog;

import java.util.function.LongSupplier;

/**
 * How many messages the kernel dropped before the source could read them ({@code Source.lost()}),
 * from the two things the kernel tells, written by the source's thread only.
 *
 * <p>When the socket buffer overruns, netlink_overrun() drops the whole kernel batch (one skb),
 * adds one to the socket's sk_drops, reports ENOBUFS once and marks the socket congested: every
 * later batch is dropped too until the reader has emptied the queue. The dropped batches had
 * already taken their NFULA_SEQ numbers, so a gap in the next delivered message's sequence counts
 * them exactly ({@link #sequence}); but losses <em>after</em> the last delivered message (the end
 * of a burst, or a congestion episode that lasts to the end of a flood) show no gap until some later
 * message arrives, possibly never. So the source also reads sk_drops (SO_MEMINFO,
 * {@link #reconcile()}) on every ENOBUFS and whenever the socket goes idle after one:
 * <ul>
 *   <li>{@code batch: 1}: every batch is one message, so sk_drops is the number of lost messages;
 *       {@code lost = max(sequence gaps, sk_drops)}, exact within ~10 ms of the socket going idle.
 *   <li>{@code batch > 1}: {@code lost = sequence gaps + batches dropped since the last gap}: each
 *       trailing dropped batch counts as one message (a lower bound, at most {@code batch}× too
 *       small) until a later message's sequence number replaces it with the exact figure.
 * </ul>
 * What no interface reveals: a message for which the kernel could not allocate a batch buffer
 * (GFP_ATOMIC failure in nfulnl_log_packet; it takes no sequence number and counts nowhere). A rule
 * with {@code --nflog-threshold N} overrides {@code batch} in the kernel; with N > 1 and
 * {@code batch: 1} the trailing count is then the lower bound described for {@code batch > 1}.
 * (A source that changed its kernel batch size while running would start a new count here with
 * the new size, keeping what was counted so far.)
 */
final class NflogLossCounter {
    private static final long TWO_POW_31 = 1L << 31;

    private final boolean oneMessagePerBatch;
    /** The socket's sk_drops since it was created (wrapping at 2^32), or -1 when unknown. */
    private final LongSupplier socketDrops;

    private boolean haveSeq;
    private int expectedSeq;
    /** Messages counted by sequence gaps: exact. */
    private long gapLost;
    /** batch > 1: kernel batches dropped since the last gap, each counted as one message. */
    private long trailingLost;
    private long dropsAtStart;
    private long dropsAtLastGap;
    /** Kernel batches the socket dropped since {@link #start()}, as of the last reading. */
    private volatile long droppedBatches;
    private volatile long lost;

    /**
     * @param batch       the kernel's queue threshold for the group (messages per batch)
     * @param socketDrops reads the socket's sk_drops, -1 when unknown (called on the same thread)
     */
    NflogLossCounter(int batch, LongSupplier socketDrops) {
        this.oneMessagePerBatch = batch == 1;
        this.socketDrops = socketDrops;
    }

    /** The group is bound: its fresh instance numbers the first message 0, and earlier drops are not ours. */
    void start() {
        long drops = Math.max(0, socketDrops.getAsLong());
        dropsAtStart = drops;
        dropsAtLastGap = drops;
        haveSeq = true;
        expectedSeq = 0;
    }

    /** A delivered message's NFULA_SEQ: a gap counts the messages dropped before it. */
    void sequence(int seq) {
        if (haveSeq) {
            long gap = (seq - expectedSeq) & 0xffffffffL;
            if (gap > 0 && gap < TWO_POW_31) {
                gapLost += gap;
                if (!oneMessagePerBatch) {
                    // the gap covers every batch dropped before this message, exactly
                    long drops = socketDrops.getAsLong();
                    if (drops >= 0) {
                        dropsAtLastGap = drops;
                    }
                    trailingLost = 0;
                }
                update();
            }
        }
        haveSeq = true;
        expectedSeq = seq + 1;
    }

    /** Reads sk_drops and recomputes {@link #lost()}: on an overrun (ENOBUFS), and when the socket is idle. */
    void reconcile() {
        long drops = socketDrops.getAsLong();
        if (drops < 0) {
            return;
        }
        droppedBatches = drops - dropsAtStart;
        if (!oneMessagePerBatch) {
            trailingLost = Math.max(0, drops - dropsAtLastGap);
        }
        update();
    }

    private void update() {
        // one message per batch: sk_drops counts messages, and gaps count the same ones again
        lost = oneMessagePerBatch ? Math.max(gapLost, droppedBatches) : gapLost + trailingLost;
    }

    /** Messages lost so far; read from any thread. */
    long lost() {
        return lost;
    }

    /** Kernel batches the socket dropped (sk_drops since {@link #start()}), as of the last reading. */
    long droppedBatches() {
        return droppedBatches;
    }
}
