package dev.pmtud.source.nflog;

import dev.pmtud.api.PacketHandler;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.MsgVector;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.PollSet;

/**
 * The NFLOG source's receive loop, on the source's thread: poll the socket and the wake-up, read up
 * to {@value #SLOTS} kernel batches with one {@code recvmmsg}, copy each once into a reused array
 * and hand it to {@link NflogPackets}. An overrun (ENOBUFS) and the quiet after one are when the
 * {@link NflogLossCounter} reads the socket's drop counter. A {@link NflogBatchControl} watches for
 * a backlog (reads that fill every slot, overruns) and switches the kernel's queue threshold.
 * Nothing is allocated per batch.
 */
final class NflogReceiver implements AutoCloseable {
    /** Kernel batches read per system call. */
    static final int SLOTS = 8;
    /** The largest kernel batch (NFULNL_NLBUFSIZ_MAX): a batch never has to be cut. */
    static final int SLOT_SIZE = 131072;
    /** How long the socket must stay quiet after an overrun before sk_drops is read as final. */
    private static final int IDLE_AFTER_OVERRUN_MILLIS = 10;
    /** How long a poll waits otherwise; a quiet socket's drop counter is read this often. */
    private static final int IDLE_MILLIS = 1000;

    private final int fd;
    private final String what;
    private final NflogPackets packets;
    private final NflogLossCounter loss;
    private final PollSet poll;
    private final NflogBatchControl batching;
    private final QueueThreshold threshold;
    private final System.Logger log;
    private final MsgVector rx;
    private final byte[] batch = new byte[SLOT_SIZE];
    /** Turns System.nanoTime() into epoch nanoseconds, for messages without a kernel timestamp. */
    private final long clockOffsetNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    private volatile long receiveCalls;
    private volatile long overruns;
    private volatile long batchSwitches;

    /** Applies a kernel queue threshold to the bound group ({@link NflogBinding#queueThreshold}). */
    interface QueueThreshold {
        void apply(int messages) throws NativeException;
    }

    /**
     * @param fd        the bound NETLINK_NETFILTER socket (the caller closes it, after this)
     * @param what      how errors name the read, e.g. {@code "nflog-33: recvmmsg(NFLOG group 33)"}
     * @param batching  when to switch the kernel's queue threshold
     * @param threshold how to switch it
     * @param log       where a failed switch is reported (once: adaptation then stops)
     */
    NflogReceiver(int fd, String what, NflogPackets packets, NflogLossCounter loss, NflogBatchControl batching,
            QueueThreshold threshold, System.Logger log) throws NativeException {
        this.fd = fd;
        this.what = what;
        this.packets = packets;
        this.loss = loss;
        this.batching = batching;
        this.threshold = threshold;
        this.log = log;
        this.poll = new PollSet(fd);
        MsgVector vector;
        try {
            vector = MsgVector.withSlots(SLOTS, SLOT_SIZE);
        } catch (RuntimeException | Error e) {
            poll.close();
            throw e;
        }
        this.rx = vector;
    }

    /** Reads until {@link #wakeup()}; throws only when the socket fails for good. */
    void run(PacketHandler handler) throws NativeException {
        boolean overrunPending = false;
        boolean adaptive = batching.adaptive();
        int applied = batching.current();
        while (true) {
            int ready = poll.await(overrunPending ? IDLE_AFTER_OVERRUN_MILLIS : IDLE_MILLIS);
            if (ready == PollSet.WOKEN) {
                return;
            }
            if (ready == 0) {
                // Idle: every drop so far happened before now, and no later message will
                // reveal drops after the last one; sk_drops does.
                loss.reconcile();
                overrunPending = false;
                if (adaptive) {
                    applied = apply(batching.idle(System.nanoTime()), applied);
                    adaptive = applied >= 0;
                }
                continue;
            }
            if (!poll.readable(0)) {
                continue;
            }
            int n = rx.receive(fd, SLOTS, Linux.MSG_DONTWAIT);
            if (n < 0) {
                int errno = -n;
                if (errno == Errno.ENOBUFS) {
                    // The socket buffer overflowed: the kernel drops every batch until the queue is
                    // empty. Gaps in NFULA_SEQ count the drops a later message reveals; sk_drops,
                    // read now and again once the socket is idle, the rest.
                    overruns++;
                    overrunPending = true;
                    loss.reconcile();
                    if (adaptive) {
                        applied = apply(batching.overrun(System.nanoTime()), applied);
                        adaptive = applied >= 0;
                    }
                    continue;
                }
                if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                    continue;
                }
                throw new NativeException(what, errno);
            }
            receiveCalls++;
            long nano = System.nanoTime();
            if (adaptive) {
                applied = apply(batching.received(n, SLOTS, nano), applied);
                adaptive = applied >= 0;
            }
            long now = clockOffsetNanos + nano;
            for (int i = 0; i < n; i++) {
                int len = rx.length(i);
                rx.copy(i, batch, 0, len);
                packets.batch(batch, 0, len, rx.truncated(i), now, handler);
            }
        }
    }

    /**
     * Sends {@code wanted} to the kernel when it differs from {@code applied}; returns what now
     * applies, or -1 when the request could not be sent (logged once; adaptation stops and the
     * group keeps the threshold it has).
     */
    private int apply(int wanted, int applied) {
        if (wanted == applied) {
            return applied;
        }
        try {
            threshold.apply(wanted);
            batchSwitches++;
            return wanted;
        } catch (NativeException e) {
            log.log(System.Logger.Level.WARNING, what + ": adaptive batching stopped: could not send the queue threshold "
                    + wanted + " (" + e.getMessage() + "); the group keeps " + applied + " message(s) per batch");
            return -1;
        }
    }

    /** Makes {@link #run} return soon; any thread, any time, also after {@link #close()}. */
    void wakeup() {
        poll.wakeup();
    }

    /** recvmmsg calls that returned data (for packets per system call). */
    long receiveCalls() {
        return receiveCalls;
    }

    /** How often the kernel reported a receive buffer overrun (ENOBUFS: congestion episodes). */
    long overruns() {
        return overruns;
    }

    /** How often adaptive batching changed the kernel's queue threshold. */
    long batchSwitches() {
        return batchSwitches;
    }

    /** Frees the poll set and the vector; on the source's thread, after {@link #run} returned. */
    @Override
    public void close() {
        poll.close();
        rx.close();
    }
}
