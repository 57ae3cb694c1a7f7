package dev.pmtud.sys.netlink;

import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.Sys;
import java.util.function.Consumer;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * A netlink socket ({@code AF_NETLINK, SOCK_RAW}) bound to a kernel-assigned port id, talking to the
 * kernel (port 0). Receives into one direct buffer and copies once into the caller's byte[];
 * failures become {@link NativeException}s that carry errno, its name and strerror text.
 *
 * <p>Open it on the thread (namespace) where it should live; afterwards any thread may use it, but
 * only one at a time for receiving.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int ACK_TIMEOUT_MILLIS = 5000;
    private static final int MAX_SEND_BYTES = 4 << 20;

    private final int protocol;
    private final Descriptor descriptor;
    /** {@link #descriptor}'s number, for the calls. */
    private final int fd;
    private final int portId;
    private final Pointer rx;
    private final int rxCapacity;
    private Pointer tx;
    private int txCapacity;
    private final Pointer kernelAddress;
    private final Pointer pollFd;
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    private NetlinkSocket(int protocol, int fd, int portId, int receiveBufferBytes) {
        this.protocol = protocol;
        this.descriptor = new Descriptor(fd);
        this.fd = fd;
        this.portId = portId;
        this.rxCapacity = receiveBufferBytes;
        this.rx = Sys.allocateDirect(receiveBufferBytes);
        this.txCapacity = 8192;
        this.tx = Sys.allocateDirect(txCapacity);
        this.kernelAddress = Sys.allocateDirect(Linux.SOCKADDR_NL_SIZE);
        kernelAddress.putShort(0, (short) Linux.AF_NETLINK);
        this.pollFd = Sys.allocateDirect(8);
    }

    /**
     * Opens and binds a netlink socket of {@code protocol} ({@link Linux#NETLINK_NETFILTER},
     * {@link Linux#NETLINK_ROUTE}...).
     *
     * @param receiveBufferBytes size of the direct buffer one receive fills (the largest batch read
     *                           at once); 64 KiB and more avoids truncating big kernel batches
     */
    public static NetlinkSocket open(int protocol, int receiveBufferBytes) throws NativeException {
        int fd = Sys.check(Sys.LIBC.socket(Linux.AF_NETLINK, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, protocol),
                "socket(AF_NETLINK, " + protocolName(protocol) + ")");
        try {
            Pointer addr = Sys.allocateDirect(Linux.SOCKADDR_NL_SIZE);
            addr.putShort(0, (short) Linux.AF_NETLINK);
            Sys.check(Sys.LIBC.bind(fd, addr, Linux.SOCKADDR_NL_SIZE), "bind(AF_NETLINK)");
            IntByReference len = new IntByReference(Linux.SOCKADDR_NL_SIZE);
            Sys.check(Sys.LIBC.getsockname(fd, addr, len), "getsockname(AF_NETLINK)");
            return new NetlinkSocket(protocol, fd, addr.getInt(4), receiveBufferBytes);
        } catch (NativeException e) {
            Sys.LIBC.close(fd);
            throw e;
        }
    }

    public static NetlinkSocket open(int protocol) throws NativeException {
        return open(protocol, 256 * 1024);
    }

    private static String protocolName(int protocol) {
        switch (protocol) {
            case Linux.NETLINK_ROUTE: return "NETLINK_ROUTE";
            case Linux.NETLINK_NETFILTER: return "NETLINK_NETFILTER";
            default: return "protocol " + protocol;
        }
    }

    public int fd() {
        return fd;
    }

    /** The port id the kernel assigned (nl_pid). */
    public int portId() {
        return portId;
    }

    public int receiveCapacity() {
        return rxCapacity;
    }

    /** A fresh sequence number for a request. */
    public int nextSeq() {
        return ++seq;
    }

    /**
     * Sets the kernel receive buffer. With {@code force}, SO_RCVBUFFORCE (ignores rmem_max, needs
     * CAP_NET_ADMIN) and falls back to SO_RCVBUF when not permitted.
     */
    public void setReceiveBufferSize(int bytes, boolean force) throws NativeException {
        if (force) {
            int r = Sys.LIBC.setsockopt(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUFFORCE, intValue(bytes), 4);
            if (r == 0) {
                return;
            }
            int errno = Sys.errno();
            if (errno != Errno.EPERM) {
                throw new NativeException("setsockopt(SO_RCVBUFFORCE, " + bytes + ")", errno);
            }
        }
        Sys.setIntOption(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUF, bytes, "SO_RCVBUF");
    }

    /** The kernel receive buffer in bytes, as the kernel reports it (twice what was set). */
    public int receiveBufferSize() throws NativeException {
        return Sys.getIntOption(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUF, "SO_RCVBUF");
    }

    /**
     * Joins multicast group {@code group} ({@link Netlink#NETLINK_ADD_MEMBERSHIP}): the kernel's
     * notifications to it arrive on this socket from now on, mixed with the answers to requests.
     */
    public void joinGroup(int group) throws NativeException {
        Sys.setIntOption(fd, Linux.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, group, "NETLINK_ADD_MEMBERSHIP " + group);
    }

    private static Pointer intValue(int v) {
        Pointer p = Sys.allocateDirect(4);
        p.putInt(0, v);
        return p;
    }

    /** Sends the messages in {@code w} to the kernel in one datagram. */
    public void send(NetlinkWriter w) throws NativeException {
        send(w.array(), 0, w.length());
    }

    public synchronized void send(byte[] b, int off, int len) throws NativeException {
        if (len > txCapacity) {
            if (len > MAX_SEND_BYTES) {
                throw new NativeException("netlink send of " + len + " bytes exceeds " + MAX_SEND_BYTES, Errno.EMSGSIZE);
            }
            // Requests are small; an nf_tables batch with many rules may not be.
            txCapacity = Math.max(len, txCapacity * 2);
            tx = Sys.allocateDirect(txCapacity);
        }
        tx.put(0, b, off, len);
        long n = Sys.LIBC.sendto(fd, tx, len, 0, kernelAddress, Linux.SOCKADDR_NL_SIZE);
        if (n < 0) {
            throw new NativeException("sendto(netlink)", Sys.errno());
        }
    }

    /**
     * Receives one datagram (many messages) into {@code dst} without throwing: returns the number
     * of bytes copied, or {@code -errno} (EAGAIN with MSG_DONTWAIT, ENOBUFS after an overrun,
     * EINTR). A datagram larger than the buffer is cut to it (MSG_TRUNC).
     */
    public int tryReceive(byte[] dst, int flags) {
        long n = Sys.LIBC.recv(fd, rx, rxCapacity, flags | Linux.MSG_TRUNC);
        if (n < 0) {
            return -Sys.errno();
        }
        int copy = (int) Math.min(n, Math.min(rxCapacity, dst.length));
        rx.get(0, dst, 0, copy);
        return copy;
    }

    /**
     * Waits until the socket is readable or {@code timeoutMillis} passed (-1: forever).
     *
     * @return true when readable (or in error: the next receive reports it)
     */
    public boolean poll(int timeoutMillis) throws NativeException {
        pollFd.putInt(0, fd);
        pollFd.putShort(4, (short) Linux.POLLIN);
        pollFd.putShort(6, (short) 0);
        int r = Sys.LIBC.poll(pollFd, 1, timeoutMillis);
        if (r < 0) {
            int errno = Sys.errno();
            if (errno == Errno.EINTR) {
                return false;
            }
            throw new NativeException("poll(netlink)", errno);
        }
        return r > 0;
    }

    /**
     * Sends one request that carries {@link Netlink#NLM_F_ACK} and waits for its answer. Other
     * messages arriving meanwhile (packets of a bound NFLOG group, say) are skipped.
     *
     * @param operation names the request in the exception, e.g. {@code "NFLOG bind group 33"}
     * @throws NativeException with the kernel's errno when it refused the request
     */
    public void request(NetlinkWriter w, String operation) throws NativeException {
        exchange(w, operation, null);
    }

    /**
     * Sends a dump request ({@link Netlink#NLM_F_DUMP}) and hands each answer message to
     * {@code each} (the reader is positioned on it) until NLMSG_DONE.
     */
    public void dump(NetlinkWriter w, String operation, Consumer<NetlinkReader> each) throws NativeException {
        exchange(w, operation, each);
    }

    /** Sends the request in {@code w} and reads until its answer: the ACK, or (with {@code each}) the dump's end. */
    private void exchange(NetlinkWriter w, String operation, Consumer<NetlinkReader> each) throws NativeException {
        int requestSeq = Bytes.hostInt(w.array(), 8);
        send(w);
        byte[] b = new byte[rxCapacity];
        NetlinkReader r = new NetlinkReader();
        long deadline = System.nanoTime() + ACK_TIMEOUT_MILLIS * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0 || !poll((int) left)) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new NativeException(operation + ": ETIMEDOUT (no answer from the kernel in "
                            + ACK_TIMEOUT_MILLIS + " ms)", Errno.ETIMEDOUT, true);
                }
                continue;
            }
            int n = tryReceive(b, Linux.MSG_DONTWAIT);
            if (n < 0) {
                if (-n == Errno.EAGAIN || -n == Errno.EINTR || -n == Errno.ENOBUFS) {
                    continue; // an overrun drops packets, never our answer: it is still queued or comes next
                }
                throw new NativeException(operation + " (recv)", -n);
            }
            r.reset(b, 0, n);
            while (r.next()) {
                if (r.seq() != requestSeq) {
                    continue;
                }
                if (r.isError()) {
                    int errno = r.errorCode();
                    if (errno != 0) {
                        throw new NativeException(operation, errno);
                    }
                    if (each == null) {
                        return;
                    }
                } else if (r.isDone()) {
                    return;
                } else if (each != null) {
                    each.accept(r);
                    if ((r.flags() & Netlink.NLM_F_MULTI) == 0) {
                        return;
                    }
                }
            }
        }
    }

    public boolean isClosed() {
        return descriptor.isClosed();
    }

    /** Closes the descriptor. Idempotent, from any thread. */
    @Override
    public void close() {
        descriptor.close();
    }

    @Override
    public String toString() {
        return "netlink(" + protocolName(protocol) + ", fd " + fd + ", port " + Integer.toUnsignedString(portId) + ")";
    }
}
