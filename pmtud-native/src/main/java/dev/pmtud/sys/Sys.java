package dev.pmtud.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** Entry point to libc: the loaded binding, errno, and helpers that turn failures into exceptions. */
public final class Sys {
    private Sys() {
    }

    public static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    public static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    /** errno of the calling thread's last libc call through {@link #LIBC}. */
    public static int errno() {
        return RUNTIME.getLastError();
    }

    /** Throws {@link NativeException} for {@code operation} when {@code result} is negative. */
    public static long check(long result, String operation) throws NativeException {
        if (result < 0) {
            throw new NativeException(operation, errno());
        }
        return result;
    }

    public static int check(int result, String operation) throws NativeException {
        if (result < 0) {
            throw new NativeException(operation, errno());
        }
        return result;
    }

    /** Direct, zeroed memory outside the Java heap, for buffers the kernel reads or writes. */
    public static Pointer allocateDirect(int size) {
        return Memory.allocateDirect(RUNTIME, size, true);
    }

    /** setsockopt with an int value. */
    public static void setIntOption(int fd, int level, int option, int value, String name) throws NativeException {
        Pointer v = allocateDirect(4);
        v.putInt(0, value);
        check(LIBC.setsockopt(fd, level, option, v, 4), "setsockopt(" + name + ")");
    }

    /** SO_BINDTODEVICE: the socket sends and receives only through {@code interfaceName}. */
    public static void bindToDevice(int fd, String interfaceName) throws NativeException {
        byte[] name = interfaceName.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (name.length >= Linux.IFNAMSIZ) {
            throw new NativeException("SO_BINDTODEVICE: interface name '" + interfaceName + "' is longer than 15 bytes", Errno.EINVAL, true);
        }
        Pointer v = allocateDirect(Linux.IFNAMSIZ);
        v.put(0, name, 0, name.length);
        check(LIBC.setsockopt(fd, Linux.SOL_SOCKET, Linux.SO_BINDTODEVICE, v, name.length + 1),
                "setsockopt(SO_BINDTODEVICE, " + interfaceName + ")");
    }

    /** getsockopt with an int value. */
    public static int getIntOption(int fd, int level, int option, String name) throws NativeException {
        Pointer v = allocateDirect(4);
        jnr.ffi.byref.IntByReference len = new jnr.ffi.byref.IntByReference(4);
        check(LIBC.getsockopt(fd, level, option, v, len), "getsockopt(" + name + ")");
        return v.getInt(0);
    }

    /** The interface name for an index, or {@code null} when there is none. */
    public static String interfaceName(int index) {
        Pointer buf = allocateDirect(Linux.IFNAMSIZ);
        Pointer r = LIBC.if_indextoname(index, buf);
        return r == null ? null : buf.getString(0);
    }

    public static boolean isRoot() {
        return LIBC.geteuid() == 0;
    }
}
