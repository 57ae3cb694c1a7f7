package dev.pmtud.sys;

import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;

/**
 * A TUN device this process creates: {@code open("/dev/net/tun")} and {@code ioctl(TUNSETIFF)} with
 * {@code IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL}. Every {@link #write} is one IP packet that the kernel
 * then receives on the device, as if it had arrived from a wire. The device is not persistent: it
 * exists as long as the descriptor does, and {@link #close()} removes it.
 *
 * <p>{@code IFF_TUN_EXCL} makes creation fail with EBUSY when a device of that name already exists,
 * so a Tun never attaches to a device someone else made. Creating needs CAP_NET_ADMIN (EPERM).
 */
public final class Tun implements AutoCloseable {
    public static final String CLONE_DEVICE = "/dev/net/tun";

    private final Descriptor fd;
    private final String name;

    private Tun(Descriptor fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /**
     * Creates the device {@code name} (at most 15 bytes) in the calling thread's network namespace.
     *
     * @throws CloneDeviceException when /dev/net/tun cannot be opened (ENOENT: there is none)
     * @throws NativeException from TUNSETIFF (EPERM: no CAP_NET_ADMIN; EBUSY: the name is taken)
     */
    public static Tun create(String name) throws NativeException {
        return create(name, CLONE_DEVICE);
    }

    /** {@link #create(String)} through another clone device path (tests of a missing device). */
    public static Tun create(String name, String cloneDevice) throws NativeException {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length == 0 || n.length >= Linux.IFNAMSIZ) {
            throw new NativeException("TUN device name '" + name + "' must have 1 to 15 characters", Errno.EINVAL, true);
        }
        int raw = Sys.LIBC.open(cloneDevice, Linux.O_RDWR | Linux.O_CLOEXEC);
        if (raw < 0) {
            throw new CloneDeviceException(cloneDevice, Sys.errno());
        }
        Descriptor fd = new Descriptor(raw);
        try (NativeMemory ifr = NativeMemory.allocate(Linux.IFREQ_SIZE)) {
            Pointer p = ifr.pointer();
            p.put(0, n, 0, n.length);
            p.putShort(Linux.IFREQ_FLAGS_OFFSET, (short) (Linux.IFF_TUN | Linux.IFF_NO_PI | Linux.IFF_TUN_EXCL));
            if (Sys.LIBC.ioctl(fd.fd(), Linux.TUNSETIFF, p) < 0) {
                throw new NativeException("ioctl(TUNSETIFF, " + name + ")", Sys.errno());
            }
            return new Tun(fd, p.getString(0));
        } catch (NativeException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Opening the clone device failed (ENOENT: there is none; EACCES: no access), before any device was made. */
    public static final class CloneDeviceException extends NativeException {
        private static final long serialVersionUID = 1L;

        CloneDeviceException(String path, int errno) {
            super("open(" + path + ")", errno);
        }
    }

    /** The device's name as the kernel gave it. */
    public String name() {
        return name;
    }

    public int fd() {
        return fd.fd();
    }

    /**
     * Writes one IP packet of {@code length} bytes from {@code packet}.
     *
     * @return the bytes written, or {@code -errno} (EINVAL: not an IP packet; EIO: the device is down)
     */
    public long write(Pointer packet, int length) {
        long r = Sys.LIBC.write(fd.fd(), packet, length);
        return r < 0 ? -Sys.errno() : r;
    }

    /** Closes the descriptor, which removes the device. Idempotent. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "tun " + name;
    }
}
