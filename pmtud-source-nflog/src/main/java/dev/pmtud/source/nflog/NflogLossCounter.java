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
 *   <li>one message per batch ({@code batch: 1}, the calm state): sk_drops is the number of lost
 *       messages, exact within ~10 ms of the socket going idle;
 *   <li>several ({@code batch > 1}, or the burst threshold of adaptive batching): each dropped batch
 *       after the last gap counts as one message (a lower bound, at most the batch size times too
 *       small) until a later message's sequence number replaces it with the exact figure.
 * </ul>
 * One formula serves both, so the kernel's batch size may change while the source runs (adaptive
 * batching, {@link NflogBatchControl}): {@code lost = max(gaps + batches dropped since the last
 * gap, batches dropped)}. With one message per batch the second term is the exact count and never
 * below the first; with more, the first is the better bound.
 * What no interface reveals: a message for which the kernel could not allocate a batch buffer
 * (GFP_ATOMIC failure in nfulnl_log_packet; it takes no sequence number and counts nowhere).
 */
final class NflogLossCounter {
    private static final long TWO_POW_31 = 1L << 31;

    /** The socket's sk_drops since it was created (wrapping at 2^32), or -1 when unknown. */
    private final LongSupplier socketDrops;

    private boolean haveSeq;
    private int expectedSeq;
    /** Messages counted by sequence gaps: exact. */
    private long gapLost;
    /** Kernel batches dropped since the last gap, each counted as one message. */
    private long trailingLost;
    private long dropsAtStart;
    private long dropsAtLastGap;
    /** Kernel batches the socket dropped since {@link #start()}, as of the last reading. */
    private volatile long droppedBatches;
    private volatile long lost;

    /** @param socketDrops reads the socket's sk_drops, -1 when unknown (called on the same thread) */
    NflogLossCounter(LongSupplier socketDrops) {
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
                // the gap covers every batch dropped before this message, exactly (a gap follows
                // drops only: one getsockopt per congestion episode's first delivered message)
                long drops = socketDrops.getAsLong();
                if (drops >= 0) {
                    dropsAtLastGap = drops;
                    droppedBatches = drops - dropsAtStart;
                }
                trailingLost = 0;
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
        trailingLost = Math.max(0, drops - dropsAtLastGap);
        update();
    }

    private void update() {
        // one message per batch: sk_drops counts messages, and gaps count the same ones again
        lost = Math.max(gapLost + trailingLost, droppedBatches);
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
