package dev.pmtud.sys;

import java.util.concurrent.atomic.AtomicBoolean;
import jnr.ffi.Pointer;

/**
 * A block of zeroed memory outside the Java heap (calloc) that {@link #close()} frees at once,
 * rather than whenever the garbage collector gets to a {@link Sys#allocateDirect} pointer: buffers the
 * kernel reads and writes (message vectors, poll sets) are released with the descriptor they serve.
 *
 * <p>The owner must make sure no thread still uses the memory when it closes it; {@link #close()}
 * itself is idempotent and thread-safe.
 */
public final class NativeMemory implements AutoCloseable {
    private final Pointer pointer;
    private final long size;
    private final AtomicBoolean freed = new AtomicBoolean();

    private NativeMemory(Pointer pointer, long size) {
        this.pointer = pointer;
        this.size = size;
    }

    /** {@code size} zeroed bytes; throws {@link OutOfMemoryError} when libc has none left. */
    public static NativeMemory allocate(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, not " + size);
        }
        Pointer p = Sys.LIBC.calloc(1, size);
        if (p == null || p.address() == 0) {
            throw new OutOfMemoryError("calloc(" + size + ") failed");
        }
        return new NativeMemory(Pointer.wrap(Sys.RUNTIME, p.address(), size), size);
    }

    public Pointer pointer() {
        return pointer;
    }

    public long address() {
        return pointer.address();
    }

    public long size() {
        return size;
    }

    public boolean isFreed() {
        return freed.get();
    }

    /** Frees the memory (once). */
    @Override
    public void close() {
        if (freed.compareAndSet(false, true)) {
            Sys.LIBC.free(pointer);
        }
    }
}
