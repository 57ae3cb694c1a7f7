package dev.pmtud.sys;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.ffi.Pointer;

/**
 * Interface index to name, cached, resolved in the namespace of a given socket. {@code
 * if_indextoname} would ask the calling thread's namespace, which for a source opened with setns
 * is not the source's; {@code ioctl(SIOCGIFNAME)} on the source's own socket asks the socket's
 * namespace. Entries are re-resolved after {@link #TTL_NANOS} so that renames show up. A cached
 * name costs nothing per lookup; the {@code struct ifreq} the kernel fills is allocated once.
 *
 * <p>Not thread-safe: the thread that reads the socket asks, and closes it after its last question.
 */
public final class InterfaceNames implements AutoCloseable {
    public static final long TTL_NANOS = 10_000_000_000L;
    private static final int MAX_CACHED_INDEX = 1 << 16;

    private final int fd;
    private final NativeMemory ifreq = NativeMemory.allocate(Linux.IFREQ_SIZE);
    private final byte[] nameBytes = new byte[Linux.IFNAMSIZ];
    private String[] names = new String[64];
    private long[] resolvedAt = new long[64];

    /** Asks through socket {@code socketFd} (kept open by the caller while it asks). */
    public InterfaceNames(int socketFd) {
        this.fd = socketFd;
    }

    /** The name of {@code index}, or {@code null} when the interface is gone; {@code nowNanos} ages the cache. */
    public String name(int index, long nowNanos) {
        if (index <= 0) {
            return null;
        }
        if (index >= MAX_CACHED_INDEX) {
            return resolve(index);
        }
        if (index >= names.length) {
            int n = Math.min(MAX_CACHED_INDEX, Math.max(index + 1, names.length * 2));
            names = Arrays.copyOf(names, n);
            resolvedAt = Arrays.copyOf(resolvedAt, n);
        }
        String cached = names[index];
        if (cached == null || nowNanos - resolvedAt[index] > TTL_NANOS) {
            names[index] = resolve(index);
            resolvedAt[index] = nowNanos;
            return names[index];
        }
        return cached;
    }

    /** {@code struct ifreq}: the name (IFNAMSIZ bytes) at 0, {@code ifr_ifindex} right after it. */
    private String resolve(int index) {
        Pointer p = ifreq.pointer();
        p.putInt(Linux.IFNAMSIZ, index);
        p.putByte(0, (byte) 0);
        if (Sys.LIBC.ioctl(fd, Linux.SIOCGIFNAME, p) < 0) {
            return null;
        }
        p.get(0, nameBytes, 0, Linux.IFNAMSIZ);
        int n = 0;
        while (n < Linux.IFNAMSIZ && nameBytes[n] != 0) {
            n++;
        }
        return new String(nameBytes, 0, n, StandardCharsets.US_ASCII);
    }

    /** Frees the {@code struct ifreq} (once); the socket is not this class's to close. */
    @Override
    public void close() {
        ifreq.close();
    }
}
