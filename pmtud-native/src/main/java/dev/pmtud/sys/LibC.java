package dev.pmtud.sys;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls pmtud needs and Java cannot make: netlink, raw and packet sockets, batch I/O,
 * network namespaces. Bound with jnr-ffi; errno is saved after every call ({@link Sys#errno()}).
 * Buffers are direct {@link Pointer}s so that nothing is copied on the way to the kernel.
 */
@SaveError
public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, @In Pointer addr, int addrlen);

    int connect(int fd, @In Pointer addr, int addrlen);

    int setsockopt(int fd, int level, int optname, @In Pointer optval, int optlen);

    int getsockopt(int fd, int level, int optname, @Out Pointer optval, IntByReference optlen);

    /** The same with {@code socklen_t *optlen} in native memory the caller keeps: nothing is allocated per call. */
    int getsockopt(int fd, int level, int optname, Pointer optval, Pointer optlen);

    int getsockname(int fd, @Out Pointer addr, IntByReference addrlen);

    @ssize_t long recv(int fd, Pointer buf, @size_t long len, int flags);

    @ssize_t long recvfrom(int fd, Pointer buf, @size_t long len, int flags, Pointer srcAddr, IntByReference addrlen);

    /** {@code struct mmsghdr *msgvec}; timeout may be null. */
    int recvmmsg(int fd, Pointer msgvec, int vlen, int flags, Pointer timeout);

    @ssize_t long send(int fd, @In Pointer buf, @size_t long len, int flags);

    @ssize_t long sendto(int fd, @In Pointer buf, @size_t long len, int flags, @In Pointer destAddr, int addrlen);

    @ssize_t long sendmsg(int fd, @In Pointer msg, int flags);

    int sendmmsg(int fd, Pointer msgvec, int vlen, int flags);

    /** {@code struct pollfd *fds}. */
    int poll(Pointer fds, int nfds, int timeoutMillis);

    int close(int fd);

    /** {@code ioctl(fd, request, void *arg)}, e.g. {@code SIOCGIFNAME} with a {@code struct ifreq}. */
    int ioctl(int fd, @jnr.ffi.types.u_int64_t long request, Pointer arg);

    /** {@code struct msghdr *msg}. */
    @ssize_t long recvmsg(int fd, Pointer msg, int flags);

    /** An eventfd, for waking a thread blocked in {@link #poll}. */
    int eventfd(int initval, int flags);

    @ssize_t long read(int fd, Pointer buf, @size_t long count);

    @ssize_t long write(int fd, @In Pointer buf, @size_t long count);

    String strerror(int errnum);

    int if_nametoindex(String name);

    Pointer if_indextoname(int index, Pointer buf);

    int open(String path, int flags);

    /** Zeroed memory outside the Java heap that {@link #free} releases explicitly ({@link NativeMemory}). */
    Pointer calloc(@size_t long count, @size_t long size);

    void free(Pointer pointer);

    int setns(int fd, int nstype);

    int getpid();

    /** {@code prctl(option, arg2, arg3, arg4, arg5)} with integer arguments (e.g. {@code PR_SET_THP_DISABLE}). */
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    /** {@code madvise(addr, length, advice)}; {@code addr} page-aligned. */
    int madvise(Pointer addr, @size_t long length, int advice);

    int geteuid();
}
