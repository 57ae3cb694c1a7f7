package dev.pmtud.sys;

import jnr.ffi.Pointer;

/**
 * {@code poll} on a few descriptors plus an eventfd, so that another thread can stop a thread that
 * waits for input: {@link #wakeup()} makes the current and every later {@link #await} return
 * {@link #WOKEN} at once. Meant for closing a source: a woken set stays woken.
 * <pre>
 *   try (PollSet poll = new PollSet(socketFd)) {
 *       while (poll.await(1000) != PollSet.WOKEN) { if (poll.readable(0)) ... }
 *   }
 *   // from another thread: poll.wakeup();
 * </pre>
 * One thread awaits; {@link #wakeup()} is safe from any thread until {@link #close()}.
 */
public final class PollSet implements AutoCloseable {
    /** What {@link #await} returns once {@link #wakeup()} was called. */
    public static final int WOKEN = -1;

    private final int count;
    private final Descriptor wake;
    private final NativeMemory fds;
    private final NativeMemory one;

    /** Watches {@code descriptors} for input (POLLIN), in this order (index {@code i} for {@link #readable}). */
    public PollSet(int... descriptors) throws NativeException {
        this.count = descriptors.length;
        this.wake = new Descriptor(Sys.check(Sys.LIBC.eventfd(0, Linux.EFD_CLOEXEC | Linux.EFD_NONBLOCK), "eventfd"));
        this.fds = NativeMemory.allocate((long) (count + 1) * Linux.POLLFD_SIZE);
        this.one = NativeMemory.allocate(8);
        one.pointer().putLong(0, 1L);
        Pointer p = fds.pointer();
        for (int i = 0; i < count; i++) {
            p.putInt((long) i * Linux.POLLFD_SIZE, descriptors[i]);
            p.putShort((long) i * Linux.POLLFD_SIZE + 4, (short) Linux.POLLIN);
        }
        p.putInt((long) count * Linux.POLLFD_SIZE, wake.fd());
        p.putShort((long) count * Linux.POLLFD_SIZE + 4, (short) Linux.POLLIN);
    }

    /**
     * Waits until a descriptor has input, {@code timeoutMillis} pass (-1: forever) or
     * {@link #wakeup()} is called.
     *
     * @return {@link #WOKEN}; else how many of the watched descriptors are ready (0: timeout or EINTR)
     */
    public int await(int timeoutMillis) throws NativeException {
        int r = Sys.LIBC.poll(fds.pointer(), count + 1, timeoutMillis);
        if (r < 0) {
            int errno = Sys.errno();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new NativeException("poll", errno);
        }
        if (revents(count) != 0) {
            return WOKEN;
        }
        return r;
    }

    /** Whether descriptor {@code i} had input (or an error or hang-up, which a read reports) at the last {@link #await}. */
    public boolean readable(int i) {
        return (revents(i) & (Linux.POLLIN | Linux.POLLERR | Linux.POLLHUP)) != 0;
    }

    private int revents(int i) {
        return fds.pointer().getShort((long) i * Linux.POLLFD_SIZE + 6) & 0xffff;
    }

    /** Makes {@link #await} return {@link #WOKEN}, now and from now on. Thread-safe, cheap, never blocks. */
    public synchronized void wakeup() {
        if (!wake.isClosed()) {
            Sys.LIBC.write(wake.fd(), one.pointer(), 8);
        }
    }

    /**
     * Wakes {@code waiter}, the thread that awaits this set, waits up to {@code millis} for it to end,
     * and closes the set if it did. A thread still busy keeps the set: freeing memory a running
     * poll() reads would be worse than a leak.
     *
     * @return whether the thread ended (and the set is closed)
     */
    public boolean stop(Thread waiter, long millis) {
        wakeup();
        try {
            waiter.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (waiter.isAlive()) {
            return false;
        }
        close();
        return true;
    }

    /** Whether {@link #close} ran (for tests). */
    boolean isClosed() {
        return wake.isClosed();
    }

    /** Closes the eventfd and frees the memory; the waiting thread must have returned. */
    @Override
    public synchronized void close() {
        wake.close();
        fds.close();
        one.close();
    }
}
