package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A socket with a filter that accepts nothing never has anything to read; one without has. */
class SocketFilterTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void acceptNothingKeepsTheReceiveQueueEmpty() throws Exception {
        try (Descriptor filtered = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "filtered");
             Descriptor open = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "open");
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            SocketFilter.acceptNothing(filtered.fd());
            int filteredPort = Loopback.bind(filtered.fd());
            int openPort = Loopback.bind(open.fd());
            sender.send(new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(LOOPBACK, filteredPort)));
            sender.send(new DatagramPacket(new byte[] {2}, 1, new InetSocketAddress(LOOPBACK, openPort)));
            try (PollSet poll = new PollSet(open.fd(), filtered.fd())) {
                assertEquals(1, poll.await(5000), "the unfiltered socket's datagram is the barrier: loopback delivers in order");
                assertTrue(poll.readable(0));
            }
            try (PollSet poll = new PollSet(filtered.fd())) {
                assertEquals(0, poll.await(0), "the filtered socket got nothing");
            }
        }
    }

    @Test
    void instructionsAreEncodedAsStructSockFilter() {
        long insn = SocketFilter.instruction(SocketFilter.RET_K, 1, 2, 0xfffe);
        assertEquals(0x06, insn & 0xffff);
        assertEquals(1, insn >>> 16 & 0xff);
        assertEquals(2, insn >>> 24 & 0xff);
        assertEquals(0xfffe, insn >>> 32);
    }
}
