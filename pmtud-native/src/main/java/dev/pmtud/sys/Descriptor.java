package dev.pmtud.sys;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file descriptor that is closed exactly once, whichever thread closes it first: the owner's
 * close and a failed open's clean-up can both call {@link #close()} without closing a number the
 * kernel has meanwhile handed to someone else.
 */
public final class Descriptor implements AutoCloseable {
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    public Descriptor(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        this.fd = fd;
    }

    /** {@code socket(domain, type | SOCK_CLOEXEC, protocol)}; {@code what} names it in the exception. */
    public static Descriptor socket(int domain, int type, int protocol, String what) throws NativeException {
        return new Descriptor(Sys.check(Sys.LIBC.socket(domain, type | Linux.SOCK_CLOEXEC, protocol), "socket(" + what + ")"));
    }

    public int fd() {
        return fd;
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Sys.LIBC.close(fd);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd + (closed.get() ? " (closed)" : "");
    }
}
