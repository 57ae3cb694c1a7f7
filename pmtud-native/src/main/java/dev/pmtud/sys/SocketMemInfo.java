package dev.pmtud.sys;

import jnr.ffi.Pointer;

/**
 * A socket's memory counters ({@code getsockopt(SOL_SOCKET, SO_MEMINFO)}: {@code u32[SK_MEMINFO_VARS]},
 * include/uapi/linux/sock_diag.h), read into memory allocated once, so that reading them allocates
 * nothing. pmtud reads {@code SK_MEMINFO_DROPS}, the socket's {@code sk_drops}: datagrams (or
 * netlink batches) the kernel dropped because the receive buffer was full.
 *
 * <p>Not thread-safe: one thread reads (the source's own), and {@link #close()} frees the memory
 * on that thread too, after its last read.
 */
public final class SocketMemInfo implements AutoCloseable {
    private static final int BYTES = Linux.SK_MEMINFO_VARS * 4;

    private final int fd;
    private final NativeMemory values = NativeMemory.allocate(BYTES);
    private final NativeMemory length = NativeMemory.allocate(4);

    /** Reads the counters of socket {@code fd}; the caller keeps the descriptor open while it reads. */
    public SocketMemInfo(int fd) {
        this.fd = fd;
    }

    /** {@code sk_drops} (it counts since the socket was created, and wraps at 2^32), or -1 when the kernel does not say. */
    public long drops() {
        length.pointer().putInt(0, BYTES);
        Pointer v = values.pointer();
        if (Sys.LIBC.getsockopt(fd, Linux.SOL_SOCKET, Linux.SO_MEMINFO, v, length.pointer()) != 0
                || length.pointer().getInt(0) < BYTES) {
            return -1;
        }
        return v.getInt((long) Linux.SK_MEMINFO_DROPS * 4) & 0xffffffffL;
    }

    /** Frees the memory (once); the descriptor is not this class's to close. */
    @Override
    public void close() {
        values.close();
        length.close();
    }
}
