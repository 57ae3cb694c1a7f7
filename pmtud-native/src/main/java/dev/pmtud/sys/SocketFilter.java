package dev.pmtud.sys;

import jnr.ffi.Pointer;

/**
 * Classic BPF socket filters ({@code SO_ATTACH_FILTER}): the kernel runs the program on every packet
 * the socket would receive and queues only what it accepts. The program is copied into the kernel
 * by the call, so its memory is freed at once.
 * <pre>
 *   struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }        (8 bytes per instruction)
 *   struct sock_fprog  { u16 len; (pad) struct sock_filter *filter; }   (16 bytes, LP64)
 * </pre>
 */
public final class SocketFilter {
    private SocketFilter() {
    }

    /** {@code BPF_RET | BPF_K}: return the constant {@code k} (0: drop the packet, else accept that many bytes). */
    public static final int RET_K = 0x06;
    public static final int INSTRUCTION_SIZE = 8;
    public static final int FPROG_SIZE = 16;

    /**
     * Attaches a program that accepts nothing: for send-only sockets (raw, packet), whose receive
     * queue would otherwise fill with every matching packet of the namespace and never be read.
     */
    public static void acceptNothing(int fd) throws NativeException {
        attach(fd, new long[] {instruction(RET_K, 0, 0, 0)});
    }

    /** One instruction as {@link #attach} takes it: {@code code}, jump offsets, constant. */
    public static long instruction(int code, int jt, int jf, int k) {
        return (code & 0xffffL) | (jt & 0xffL) << 16 | (jf & 0xffL) << 24 | (k & 0xffff_ffffL) << 32;
    }

    /** Attaches {@code program} (instructions made by {@link #instruction}) to socket {@code fd}. */
    public static void attach(int fd, long[] program) throws NativeException {
        try (NativeMemory insns = NativeMemory.allocate((long) program.length * INSTRUCTION_SIZE);
             NativeMemory fprog = NativeMemory.allocate(FPROG_SIZE)) {
            Pointer p = insns.pointer();
            for (int i = 0; i < program.length; i++) {
                long insn = program[i];
                long at = (long) i * INSTRUCTION_SIZE;
                p.putShort(at, (short) insn);
                p.putByte(at + 2, (byte) (insn >>> 16));
                p.putByte(at + 3, (byte) (insn >>> 24));
                p.putInt(at + 4, (int) (insn >>> 32));
            }
            fprog.pointer().putShort(0, (short) program.length);
            fprog.pointer().putAddress(8, insns.address());
            Sys.check(Sys.LIBC.setsockopt(fd, Linux.SOL_SOCKET, Linux.SO_ATTACH_FILTER, fprog.pointer(), FPROG_SIZE),
                    "setsockopt(SO_ATTACH_FILTER)");
        }
    }
}
