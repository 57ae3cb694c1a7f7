package dev.pmtud.sys;

import java.net.InetAddress;
import jnr.ffi.Pointer;

/**
 * An array of {@code struct mmsghdr} with the iovecs, address storage and data it points at, for
 * {@code sendmmsg} and {@code recvmmsg}. Two layouts:
 * <ul>
 *   <li>{@link #sharedPayload}: every message is the same one payload, sent to a different address
 *       (IP, {@link #destination}, or link layer, {@link #linkDestination}): one message to N peers
 *       is one {@code sendmmsg} ({@link #sendAll}). Built when the destinations change.
 *   <li>{@link #withSlots}: every message has its own data slot and address storage; receiving
 *       fills in each datagram's length, flags and source address.
 * </ul>
 * Per call nothing is allocated: the vector, its slices and the memory are made once and freed by
 * {@link #close()} (the owner makes sure no thread is inside a call then).
 *
 * <p>Layout (LP64: x86_64, arm64): {@code struct msghdr} is {@code msg_name} 0, {@code msg_namelen} 8,
 * {@code msg_iov} 16, {@code msg_iovlen} 24, {@code msg_control} 32, {@code msg_controllen} 40,
 * {@code msg_flags} 48 (56 bytes); {@code struct mmsghdr} adds {@code msg_len} at 56 (64 bytes);
 * {@code struct iovec} is {@code iov_base} 0, {@code iov_len} 8 (16 bytes).
 */
public final class MsgVector implements AutoCloseable {
    public static final int MMSGHDR_SIZE = 64;
    public static final int IOVEC_SIZE = 16;
    /** Address storage per message: a {@code sockaddr_in6} (28 bytes) rounded up. */
    public static final int NAME_STRIDE = 32;
    private static final int NAMELEN = 8;
    private static final int IOV = 16;
    private static final int IOVLEN = 24;
    private static final int FLAGS = 48;
    private static final int LEN = 56;

    private final int capacity;
    private final int slotSize;
    private final NativeMemory headers;
    private final NativeMemory iovecs;
    private final NativeMemory names;
    private final NativeMemory data;
    private final Pointer[] from;
    private final Pointer h;
    private final Pointer n;

    private MsgVector(int capacity, int slotSize, boolean shared) {
        if (capacity < 1 || slotSize < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " and slot size " + slotSize + " must be positive");
        }
        this.capacity = capacity;
        this.slotSize = slotSize;
        this.headers = NativeMemory.allocate((long) capacity * MMSGHDR_SIZE);
        this.iovecs = NativeMemory.allocate((long) (shared ? 1 : capacity) * IOVEC_SIZE);
        this.names = NativeMemory.allocate((long) capacity * NAME_STRIDE);
        this.data = NativeMemory.allocate((long) (shared ? 1 : capacity) * slotSize);
        this.h = headers.pointer();
        this.n = names.pointer();
        this.from = new Pointer[capacity];
        Pointer iov = iovecs.pointer();
        for (int i = 0; i < (shared ? 1 : capacity); i++) {
            iov.putAddress((long) i * IOVEC_SIZE, data.address() + (long) i * slotSize);
            iov.putLong((long) i * IOVEC_SIZE + 8, shared ? 0 : slotSize);
        }
        for (int i = 0; i < capacity; i++) {
            long m = (long) i * MMSGHDR_SIZE;
            h.putAddress(m, names.address() + (long) i * NAME_STRIDE);
            h.putInt(m + NAMELEN, 0);
            h.putAddress(m + IOV, iovecs.address() + (shared ? 0 : (long) i * IOVEC_SIZE));
            h.putLong(m + IOVLEN, 1);
            from[i] = h.slice(m);
        }
    }

    /** {@code capacity} messages that all carry one payload of up to {@code payloadCapacity} bytes. */
    public static MsgVector sharedPayload(int capacity, int payloadCapacity) {
        return new MsgVector(capacity, payloadCapacity, true);
    }

    /** {@code capacity} messages, each with its own {@code slotSize}-byte data slot and address. */
    public static MsgVector withSlots(int capacity, int slotSize) {
        return new MsgVector(capacity, slotSize, false);
    }

    public int capacity() {
        return capacity;
    }

    public int slotSize() {
        return slotSize;
    }

    /** The data: the shared payload, or slot {@code i} at {@link #slotOffset}{@code (i)}. */
    public Pointer data() {
        return data.pointer();
    }

    public long slotOffset(int i) {
        return (long) i * slotSize;
    }

    /** The address storage: message {@code i}'s at {@link #nameOffset}{@code (i)}. */
    public Pointer names() {
        return n;
    }

    public long nameOffset(int i) {
        return (long) i * NAME_STRIDE;
    }

    /** Sets message {@code i}'s destination. */
    public void destination(int i, InetAddress address, int port) {
        int len = SockAddr.write(n, nameOffset(i), address, port);
        h.putInt((long) i * MMSGHDR_SIZE + NAMELEN, len);
    }

    /** Sets message {@code i}'s destination to {@code mac} on link {@code ifIndex} (a packet socket's {@code sockaddr_ll}). */
    public void linkDestination(int i, int ifIndex, int etherType, long mac) {
        int len = SockAddr.link(n, nameOffset(i), ifIndex, etherType, mac);
        h.putInt((long) i * MMSGHDR_SIZE + NAMELEN, len);
    }

    /** Rewrites the EtherType of the first {@code count} link-layer destinations (IPv4 or IPv6 payload). */
    public void linkProtocol(int count, int etherType) {
        for (int i = 0; i < count; i++) {
            SockAddr.linkProtocol(n, nameOffset(i), etherType);
        }
    }

    /** Shared layout: copies {@code len} bytes of {@code src} from {@code off} in as the payload every message carries. */
    public void load(byte[] src, int off, int len) {
        payloadLength(len);
        data.pointer().put(0, src, off, len);
    }

    /** Shared layout: how many payload bytes every message carries now. */
    public void payloadLength(int length) {
        if (length < 0 || length > slotSize) {
            throw new IllegalArgumentException("payload of " + length + " bytes; room for " + slotSize);
        }
        iovecs.pointer().putLong(8, length);
    }

    /**
     * {@code sendmmsg} of messages {@code [from, from + count)} on {@code fd}.
     *
     * @return how many went out (the kernel stops at the first that fails), or {@code -errno}
     */
    public int send(int fd, int from, int count, int flags) {
        int r = Sys.LIBC.sendmmsg(fd, this.from[from], count, flags);
        return r < 0 ? -Sys.errno() : r;
    }

    /**
     * Sends messages {@code [0, count)} on {@code fd} in as few {@code sendmmsg} calls as the results
     * allow, and writes each one's outcome into {@code results[i]}: 0 when it went out, else its errno.
     * sendmmsg stops at the first message that fails and reports only how many went out before it;
     * the failed one gets the errno of the call that starts at it, and the rest continue after it. An
     * interrupted call (EINTR) is retried up to three times per {@code sendAll}. Allocates nothing.
     *
     * @return how many messages failed
     */
    public int sendAll(int fd, int count, int flags, int[] results) {
        int failed = 0;
        int i = 0;
        int interrupted = 0;
        while (i < count) {
            int r = send(fd, i, count - i, flags);
            if (r > 0) {
                for (int k = i; k < i + r; k++) {
                    results[k] = 0;
                }
                i += r;
            } else {
                int errno = r < 0 ? -r : Errno.EIO;
                if (errno == Errno.EINTR && interrupted++ < 3) {
                    continue;
                }
                results[i++] = errno;
                failed++;
            }
        }
        return failed;
    }

    /**
     * {@code recvmmsg} into the first {@code count} slots (slotted layout) on {@code fd}.
     *
     * @return how many datagrams arrived, or {@code -errno} (EAGAIN with MSG_DONTWAIT and nothing queued)
     */
    public int receive(int fd, int count, int flags) {
        for (int i = 0; i < count; i++) {
            long m = (long) i * MMSGHDR_SIZE;
            h.putInt(m + NAMELEN, NAME_STRIDE);
            h.putInt(m + FLAGS, 0);
            h.putInt(m + LEN, 0);
        }
        int r = Sys.LIBC.recvmmsg(fd, h, count, flags, null);
        return r < 0 ? -Sys.errno() : r;
    }

    /** The length of received datagram {@code i} (at most the slot size). */
    public int length(int i) {
        return Math.min(h.getInt((long) i * MMSGHDR_SIZE + LEN), slotSize);
    }

    /** Whether received datagram {@code i} was longer than its slot (MSG_TRUNC): its tail is lost. */
    public boolean truncated(int i) {
        return (h.getInt((long) i * MMSGHDR_SIZE + FLAGS) & Linux.MSG_TRUNC) != 0;
    }

    /** Copies received datagram {@code i} (its first {@code len} bytes) into {@code dst[off..]}. */
    public void copy(int i, byte[] dst, int off, int len) {
        data.pointer().get(slotOffset(i), dst, off, len);
    }

    /** Frees the memory. The owner makes sure no send or receive is running. */
    @Override
    public void close() {
        headers.close();
        iovecs.close();
        names.close();
        data.close();
    }
}
