package dev.pmtud.source.nflog;

/**
 * Adaptive kernel batching for the nflog source: which queue threshold (messages per kernel batch,
 * NFULA_CFG_QTHRESH) the group should have now. Pure decision logic, on the source's thread;
 * {@link NflogReceiver} feeds it what each read saw and applies a change.
 *
 * <p>Why: with {@code batch: 1} every message is its own netlink skb, ~1 KiB of socket buffer
 * (truesize) for a ~200-byte frag-needed, and one datagram of a {@code recvmmsg}. In a burst faster
 * than the source drains (an injector's top speed: 100,000 messages in a quarter of a second), the
 * buffer fills with overhead and the kernel drops the rest. Batched, a kernel buffer of one page
 * holds ~18 such messages: the same socket buffer absorbs ~4x more messages and each read takes
 * many at once. Batching costs latency only while it is on (at most the flush timeout; in a burst
 * the batch fills in microseconds), so it is on only while the socket is backlogged.
 *
 * <p>Rules: a backlog is {@value #FULL_READS_TO_BURST} reads in a row that each returned every
 * slot (the queue held at least that many more batches), or an overrun (ENOBUFS: messages were
 * already dropped). A backlog switches to the burst threshold at once; the base threshold comes
 * back when no backlog was seen for {@code calmNanos}. Nothing is allocated.
 */
final class NflogBatchControl {
    /** Full reads in a row that make a backlog: with 8 slots, at least 32 messages waited. */
    static final int FULL_READS_TO_BURST = 4;

    private final int base;
    private final int burst;
    private final long calmNanos;
    private int current;
    private int fullReads;
    private long lastBacklogNanos;
    private long switches;

    /**
     * @param base      the configured {@code batch}: the threshold when calm
     * @param burst     the threshold while backlogged; not above {@code base}: adaptation off
     * @param calmNanos how long without a backlog before {@code base} is restored
     */
    NflogBatchControl(int base, int burst, long calmNanos) {
        this.base = base;
        this.burst = Math.max(base, burst);
        this.calmNanos = calmNanos;
        this.current = base;
    }

    /** Whether the threshold can change at all. */
    boolean adaptive() {
        return burst > base;
    }

    /** A read returned {@code datagrams} of at most {@code slots}; returns the threshold to use now. */
    int received(int datagrams, int slots, long nowNanos) {
        if (datagrams >= slots) {
            if (++fullReads >= FULL_READS_TO_BURST) {
                return backlog(nowNanos);
            }
        } else {
            fullReads = 0;
        }
        return calmed(nowNanos);
    }

    /** The socket overran (ENOBUFS); returns the threshold to use now. */
    int overrun(long nowNanos) {
        return backlog(nowNanos);
    }

    /** The socket was idle for a while; returns the threshold to use now. */
    int idle(long nowNanos) {
        fullReads = 0;
        return calmed(nowNanos);
    }

    /** The threshold while backlogged. */
    int burst() {
        return burst;
    }

    /** The threshold last returned. */
    int current() {
        return current;
    }

    /** How often the threshold changed. */
    long switches() {
        return switches;
    }

    private int backlog(long nowNanos) {
        lastBacklogNanos = nowNanos;
        fullReads = 0;
        return set(burst);
    }

    private int calmed(long nowNanos) {
        if (current != base && nowNanos - lastBacklogNanos >= calmNanos) {
            return set(base);
        }
        return current;
    }

    private int set(int threshold) {
        if (threshold != current) {
            current = threshold;
            switches++;
        }
        return current;
    }
}
