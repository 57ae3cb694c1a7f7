package dev.pmtud.sys.netlink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Reads and writes integers in a byte[] at any offset without allocating, in host or network order. */
public final class Bytes {
    private Bytes() {
    }

    private static final VarHandle HOST_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle HOST_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final VarHandle BE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    public static int hostInt(byte[] b, int off) {
        return (int) HOST_INT.get(b, off);
    }

    public static int hostU16(byte[] b, int off) {
        return ((short) HOST_SHORT.get(b, off)) & 0xffff;
    }

    public static void putHostInt(byte[] b, int off, int v) {
        HOST_INT.set(b, off, v);
    }

    public static void putHostU16(byte[] b, int off, int v) {
        HOST_SHORT.set(b, off, (short) v);
    }

    public static int beInt(byte[] b, int off) {
        return (int) BE_INT.get(b, off);
    }

    public static int beU16(byte[] b, int off) {
        return ((short) BE_SHORT.get(b, off)) & 0xffff;
    }

    public static long beLong(byte[] b, int off) {
        return (long) BE_LONG.get(b, off);
    }

    public static void putBeInt(byte[] b, int off, int v) {
        BE_INT.set(b, off, v);
    }

    public static void putBeU16(byte[] b, int off, int v) {
        BE_SHORT.set(b, off, (short) v);
    }

    public static void putBeLong(byte[] b, int off, long v) {
        BE_LONG.set(b, off, v);
    }
}
