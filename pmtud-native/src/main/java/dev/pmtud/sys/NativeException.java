package dev.pmtud.sys;

import java.io.IOException;

/**
 * A failed system call: {@code "bind(NETLINK_NETFILTER): EPERM (Operation not permitted)"}.
 * Carries errno so that callers can turn known cases into advice.
 */
public class NativeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NativeException(String operation, int errno) {
        super(operation + ": " + Errno.name(errno) + " (" + Sys.LIBC.strerror(errno) + ")");
        this.errno = errno;
    }

    public NativeException(String message, int errno, boolean verbatim) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }
}
