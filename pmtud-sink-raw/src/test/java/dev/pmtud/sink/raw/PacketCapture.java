package dev.pmtud.sink.raw;

import dev.pmtud.sys.Linux;
import dev.pmtud.sys.SockAddr;
import dev.pmtud.sys.Sys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Every frame an interface receives, read from an AF_PACKET socket opened in the calling thread's
 * namespace (open it with {@code ns.call(...)}). Frames the namespace itself sends are left out.
 */
final class PacketCapture implements AutoCloseable {
    private final int fd;
    private final List<byte[]> frames = new ArrayList<>();
    private final Thread reader;
    private volatile boolean closed;

    private PacketCapture(String ifName) throws Exception {
        fd = Sys.check(Sys.LIBC.socket(Linux.AF_PACKET, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, SockAddr.be16(Linux.ETH_P_ALL) & 0xffff),
                "socket(AF_PACKET)");
        Pointer tv = Sys.allocateDirect(16);
        tv.putLong(0, 0);
        tv.putLong(8, 100_000);
        Sys.check(Sys.LIBC.setsockopt(fd, Linux.SOL_SOCKET, Linux.SO_RCVTIMEO, tv, 16), "SO_RCVTIMEO");
        Pointer sll = Sys.allocateDirect(Linux.SOCKADDR_LL_SIZE);
        int index = Sys.LIBC.if_nametoindex(ifName);
        SockAddr.link(sll, 0, index, Linux.ETH_P_ALL, 0);
        Sys.check(Sys.LIBC.bind(fd, sll, Linux.SOCKADDR_LL_SIZE), "bind(AF_PACKET " + ifName + ")");
        reader = new Thread(this::read, "capture-" + ifName);
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens a capture on {@code ifName} of the calling thread's namespace. */
    static PacketCapture open(String ifName) throws Exception {
        return new PacketCapture(ifName);
    }

    private void read() {
        Pointer buf = Sys.allocateDirect(65536);
        Pointer from = Sys.allocateDirect(Linux.SOCKADDR_LL_SIZE);
        while (!closed) {
            IntByReference fromLen = new IntByReference(Linux.SOCKADDR_LL_SIZE);
            long n = Sys.LIBC.recvfrom(fd, buf, 65536, 0, from, fromLen);
            if (n <= 0) {
                continue;
            }
            int pktType = from.getByte(10) & 0xff;
            if (pktType == 4) { // PACKET_OUTGOING
                continue;
            }
            byte[] f = new byte[(int) n];
            buf.get(0, f, 0, f.length);
            synchronized (frames) {
                frames.add(f);
                frames.notifyAll();
            }
        }
    }

    /** The frames received so far that match. */
    List<byte[]> matching(Predicate<byte[]> p) {
        List<byte[]> out = new ArrayList<>();
        synchronized (frames) {
            for (byte[] f : frames) {
                if (p.test(f)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** Waits until at least {@code n} frames match; returns them all. Fails after {@code timeout}. */
    List<byte[]> await(Predicate<byte[]> p, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (frames) {
            while (true) {
                List<byte[]> m = matching(p);
                if (m.size() >= n) {
                    return m;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " matching frames within " + timeout + ", got " + m.size()
                            + " of " + frames.size() + " frames");
                }
                frames.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Sys.LIBC.close(fd);
    }
}
