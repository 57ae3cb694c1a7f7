package dev.pmtud.source.nflog;

import java.time.Duration;

/**
 * What one {@code nflog} source block asks for.
 *
 * @param group       the NFLOG group (0..65535), {@code --nflog-group} of the rule
 * @param ipv4        accept AF_INET messages
 * @param ipv6        accept AF_INET6 messages
 * @param bufferBytes the socket receive buffer (SO_RCVBUFFORCE)
 * @param batch       queue threshold: the kernel sends after this many messages...
 * @param flush       ...or after this long (10 ms resolution)
 * @param burstBatch  the queue threshold while the socket is backlogged (adaptive batching,
 *                    {@link NflogBatchControl}); not above {@code batch}: no adaptation
 *
 * <p>Default {@code batch} 1: the kernel hands each message to the socket at once (relay p99 in
 * the 100 µs range instead of the 10 ms flush timer), while under load {@code recvmmsg} still
 * drains up to {@value NflogReceiver#SLOTS} queued messages per system call; and with one message per
 * kernel batch the socket's drop counter counts lost messages exactly.
 */
public record NflogSettings(int group, boolean ipv4, boolean ipv6, int bufferBytes, int batch, Duration flush,
        int burstBatch) {

    public static final int DEFAULT_GROUP = 33;
    public static final int DEFAULT_BUFFER = 16 << 20;
    public static final int DEFAULT_BATCH = 1;
    public static final Duration DEFAULT_FLUSH = Duration.ofMillis(10);
    /**
     * 32: more than a kernel buffer of one page holds of ~200-byte frag-needed messages (~18), so
     * under a burst the page, not the count, ends a batch; a batch of 32 full-size packet-too-bigs
     * still takes a flush timeout at most.
     */
    public static final int DEFAULT_BURST_BATCH = 32;

    public static NflogSettings defaults(int group) {
        return new NflogSettings(group, true, true, DEFAULT_BUFFER, DEFAULT_BATCH, DEFAULT_FLUSH, DEFAULT_BURST_BATCH);
    }

    /** The flush timeout in the kernel's unit, 1/100 s (at least 1). */
    int flushCentiseconds() {
        return (int) Math.max(1, (flush.toMillis() + 9) / 10);
    }

    /**
     * The kernel batches messages into one buffer of this size (NFULA_CFG_NLBUFSIZ); it has to hold
     * {@code batch} messages of up to ~1.5 KiB (a packet-too-big is at most 1280 bytes). 0 for
     * {@code batch: 1}: keep the kernel's default of one page (NLMSG_GOODSIZE, the smallest it
     * accepts), which always holds one message (netlink_trim shrinks each sent skb to its contents).
     */
    int kernelBatchBytes() {
        return batch == 1 ? 0 : Math.max(8192, Math.min(131072, batch * 1600));
    }

    public NflogSettings withBuffer(int bytes) {
        return new NflogSettings(group, ipv4, ipv6, bytes, batch, flush, burstBatch);
    }

    public NflogSettings withBatch(int messages, Duration flushAfter) {
        return new NflogSettings(group, ipv4, ipv6, bufferBytes, messages, flushAfter, burstBatch);
    }

    public NflogSettings withFamilies(boolean v4, boolean v6) {
        return new NflogSettings(group, v4, v6, bufferBytes, batch, flush, burstBatch);
    }

    /** {@code messages} not above {@code batch}: no adaptive batching. */
    public NflogSettings withBurstBatch(int messages) {
        return new NflogSettings(group, ipv4, ipv6, bufferBytes, batch, flush, messages);
    }
}
