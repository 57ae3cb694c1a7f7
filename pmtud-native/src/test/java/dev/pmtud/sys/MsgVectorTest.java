package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import jnr.ffi.byref.IntByReference;
import org.junit.jupiter.api.Test;

/** sendmmsg to several destinations and recvmmsg with source addresses, over loopback UDP. */
class MsgVectorTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void oneSharedPayloadReachesEveryDestinationInOneCall() throws Exception {
        try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket b = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             Descriptor fd = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM");
             MsgVector v = MsgVector.sharedPayload(2, 1500)) {
            a.setSoTimeout(5000);
            b.setSoTimeout(5000);
            v.destination(0, LOOPBACK, a.getLocalPort());
            v.destination(1, LOOPBACK, b.getLocalPort());
            byte[] payload = {0x45, 1, 2, 3, 4, 5, 6};
            v.data().put(0, payload, 0, payload.length);
            v.payloadLength(payload.length);

            assertEquals(2, v.send(fd.fd(), 0, 2, 0));
            for (DatagramSocket s : new DatagramSocket[] {a, b}) {
                DatagramPacket p = new DatagramPacket(new byte[100], 100);
                s.receive(p);
                assertArrayEquals(payload, Arrays.copyOf(p.getData(), p.getLength()));
            }
            // from the second message on: only b gets it
            v.payloadLength(3);
            assertEquals(1, v.send(fd.fd(), 1, 1, 0));
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            b.receive(p);
            assertEquals(3, p.getLength());
        }
    }

    @Test
    void receivesABatchWithLengthsSourceAddressesAndTruncation() throws Exception {
        try (Descriptor fd = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM");
             MsgVector v = MsgVector.withSlots(4, 64);
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            int port = bindLoopback(fd.fd());
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, port);
            byte[] small = {1, 2, 3};
            byte[] exact = new byte[64];
            byte[] big = new byte[65];
            Arrays.fill(exact, (byte) 7);
            Arrays.fill(big, (byte) 9);
            for (byte[] d : new byte[][] {small, exact, big}) {
                sender.send(new DatagramPacket(d, d.length, to));
            }
            try (PollSet poll = new PollSet(fd.fd())) {
                assertEquals(1, poll.await(5000));
                assertTrue(poll.readable(0));
            }
            int n = v.receive(fd.fd(), 4, Linux.MSG_DONTWAIT);
            assertEquals(3, n, "all three were queued before the call");
            int[] lengths = {3, 64, 64};
            boolean[] truncated = {false, false, true};
            byte[] seen = new byte[16];
            for (int i = 0; i < n; i++) {
                assertEquals(lengths[i], v.length(i), "length of " + i);
                assertEquals(truncated[i], v.truncated(i), "truncation of " + i);
                assertEquals(Linux.AF_INET, SockAddr.family(v.names(), v.nameOffset(i)));
                assertEquals(sender.getLocalPort(), SockAddr.port(v.names(), v.nameOffset(i)));
                assertTrue(SockAddr.copyAddress(v.names(), v.nameOffset(i), seen));
                assertArrayEquals(SockAddr.mapped(LOOPBACK), seen, "IPv4 source as ::ffff:127.0.0.1");
                assertEquals(LOOPBACK, SockAddr.address(v.names(), v.nameOffset(i)));
            }
            byte[] copy = new byte[3];
            v.copy(0, copy, 0, 3);
            assertArrayEquals(small, copy);
            assertEquals(-Errno.EAGAIN, v.receive(fd.fd(), 4, Linux.MSG_DONTWAIT), "nothing left");
        }
    }

    @Test
    void closingFreesTheMemoryOnce() {
        MsgVector v = MsgVector.withSlots(2, 16);
        v.close();
        v.close(); // idempotent: a second free would abort the JVM
        NativeMemory m = NativeMemory.allocate(8);
        assertFalse(m.isFreed());
        m.close();
        assertTrue(m.isFreed());
        m.close();
    }

    /** Binds {@code fd} to 127.0.0.1 on a port the kernel picks, and returns the port. */
    static int bindLoopback(int fd) throws NativeException {
        try (NativeMemory sa = NativeMemory.allocate(SockAddr.MAX_SIZE)) {
            int len = SockAddr.write(sa.pointer(), 0, LOOPBACK, 0);
            Sys.check(Sys.LIBC.bind(fd, sa.pointer(), len), "bind");
            IntByReference l = new IntByReference(SockAddr.MAX_SIZE);
            Sys.check(Sys.LIBC.getsockname(fd, sa.pointer(), l), "getsockname");
            return SockAddr.port(sa.pointer(), 0);
        }
    }
}
