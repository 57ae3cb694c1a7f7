package dev.pmtud.testkit;

import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.Sys;
import jnr.ffi.Pointer;

/**
 * Writes whole link-layer frames onto one interface through an AF_PACKET socket, exactly as given
 * (any source MAC, VLAN tags, broadcast destinations): the sending side of capture tests.
 * <pre>
 *   try (FrameSender tx = peer.call(() -> FrameSender.open("eth0"))) {
 *       tx.send(Frames.ethernet(nodeMac, peerMac, Ptb.v4().build()));
 *   }
 * </pre>
 * Open it inside the namespace that holds the interface ({@code ns.call}); the socket stays there,
 * so {@link #send} then works from any thread.
 */
public final class FrameSender implements AutoCloseable {
    private static final int SOCKADDR_LL = 20;
    private static final int MAX_FRAME = 65536;

    private final String interfaceName;
    private final int ifIndex;
    private final Pointer address = Sys.allocateDirect(SOCKADDR_LL);
    private final Pointer buffer = Sys.allocateDirect(MAX_FRAME);
    private int fd;

    private FrameSender(String interfaceName, int ifIndex, int fd) {
        this.interfaceName = interfaceName;
        this.ifIndex = ifIndex;
        this.fd = fd;
        // struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
        address.putShort(0, (short) Linux.AF_PACKET);
        address.putInt(4, ifIndex);
    }

    /** Opens a sending socket on {@code interfaceName} of the calling thread's namespace. */
    public static FrameSender open(String interfaceName) throws NativeException {
        int index = Sys.LIBC.if_nametoindex(interfaceName);
        if (index == 0) {
            throw new NativeException("if_nametoindex(" + interfaceName + ")", Sys.errno());
        }
        // protocol 0: this socket only sends, it receives nothing
        int fd = Sys.check(Sys.LIBC.socket(Linux.AF_PACKET, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, 0), "socket(AF_PACKET)");
        return new FrameSender(interfaceName, index, fd);
    }

    public int ifIndex() {
        return ifIndex;
    }

    /** Sends one frame (destination MAC first); throws when the kernel refuses it. */
    public synchronized void send(byte[] frame) throws NativeException {
        if (fd < 0) {
            throw new IllegalStateException("closed");
        }
        if (frame.length < 14 || frame.length > MAX_FRAME) {
            throw new IllegalArgumentException("a frame is 14.." + MAX_FRAME + " bytes, not " + frame.length);
        }
        buffer.put(0, frame, 0, frame.length);
        long n = Sys.check(Sys.LIBC.sendto(fd, buffer, frame.length, 0, address, SOCKADDR_LL), "sendto on " + interfaceName);
        if (n != frame.length) {
            throw new IllegalStateException("sent " + n + " of " + frame.length + " bytes on " + interfaceName);
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Sys.LIBC.close(fd);
            fd = -1;
        }
    }
}
