package dev.pmtud.sys;

/**
 * An eventfd used as a doorbell between threads: any thread {@link #signal}s, the thread that
 * watches it in a {@link PollSet} sees it readable and {@link #drain}s it, which makes it quiet
 * again (unlike {@link PollSet#wakeup()}, which stays rung). Non-blocking both ways; nothing is
 * allocated per signal.
 */
public final class EventFd implements AutoCloseable {
    private final Descriptor fd;
    private final NativeMemory value;

    private EventFd(Descriptor fd) {
        this.fd = fd;
        this.value = NativeMemory.allocate(8);
    }

    /** {@code eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)}. */
    public static EventFd open() throws NativeException {
        return new EventFd(new Descriptor(Sys.check(Sys.LIBC.eventfd(0, Linux.EFD_CLOEXEC | Linux.EFD_NONBLOCK), "eventfd")));
    }

    /** The descriptor to watch ({@link PollSet}). */
    public int fd() {
        return fd.fd();
    }

    /** Rings: the descriptor becomes readable until {@link #drain()}. Thread-safe; a no-op once closed. */
    public synchronized void signal() {
        if (!fd.isClosed()) {
            value.pointer().putLong(0, 1L);
            Sys.LIBC.write(fd.fd(), value.pointer(), 8);
        }
    }

    /** Whether it was rung since the last drain; quiet again afterwards. Called by the watching thread. */
    public synchronized boolean drain() {
        return !fd.isClosed() && Sys.LIBC.read(fd.fd(), value.pointer(), 8) == 8;
    }

    @Override
    public synchronized void close() {
        fd.close();
        value.close();
    }
}
