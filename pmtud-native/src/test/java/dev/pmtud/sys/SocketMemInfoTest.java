package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** sk_drops of a UDP socket on loopback whose receive buffer is too small, read without allocating. */
class SocketMemInfoTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void countsExactlyWhatAFullReceiveBufferDropped() throws Exception {
        int sent = 300;
        try (Descriptor rx = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK, 0, "AF_INET, SOCK_DGRAM");
             SocketMemInfo info = new SocketMemInfo(rx.fd());
             MsgVector v = MsgVector.withSlots(16, 2048);
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            Sys.setIntOption(rx.fd(), Linux.SOL_SOCKET, Linux.SO_RCVBUF, 1, "SO_RCVBUF"); // the kernel's minimum
            int port = Loopback.bind(rx.fd());
            assertEquals(0, info.drops(), "a new socket has dropped nothing");
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, port);
            byte[] d = new byte[1000];
            for (int i = 0; i < sent; i++) {
                sender.send(new DatagramPacket(d, d.length, to)); // nobody reads meanwhile
            }
            long received = 0;
            for (int n; (n = v.receive(rx.fd(), 16, Linux.MSG_DONTWAIT)) > 0; ) {
                received += n;
            }
            long drops = info.drops();
            assertTrue(drops > 0, "a buffer of a few KiB cannot hold " + sent + " datagrams of 1000 bytes");
            assertEquals(sent, received + drops, "received " + received + ", dropped " + drops);
        }
    }

    @Test
    void readingAllocatesNothing() throws Exception {
        try (Descriptor fd = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM");
             SocketMemInfo info = new SocketMemInfo(fd.fd())) {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long sum = 0;
            for (int i = 0; i < 20_000; i++) {
                sum += info.drops();
            }
            int calls = 10_000;
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) {
                sum += info.drops();
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, sum, "a socket nobody sends to drops nothing");
            assertTrue(allocated < calls, "allocated " + allocated + " bytes in " + calls + " reads");
        }
    }
}
