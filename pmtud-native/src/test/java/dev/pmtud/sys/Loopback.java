package dev.pmtud.sys;

import java.net.InetAddress;
import jnr.ffi.byref.IntByReference;

/** Loopback sockets for the tests that need a receiver. */
final class Loopback {
    private Loopback() {
    }

    /** Binds {@code fd} to 127.0.0.1 on a port the kernel picks, and returns the port. */
    static int bind(int fd) throws NativeException {
        try (NativeMemory sa = NativeMemory.allocate(SockAddr.MAX_SIZE)) {
            int len = SockAddr.write(sa.pointer(), 0, InetAddress.getLoopbackAddress(), 0);
            Sys.check(Sys.LIBC.bind(fd, sa.pointer(), len), "bind");
            IntByReference l = new IntByReference(SockAddr.MAX_SIZE);
            Sys.check(Sys.LIBC.getsockname(fd, sa.pointer(), l), "getsockname");
            return SockAddr.port(sa.pointer(), 0);
        }
    }
}
