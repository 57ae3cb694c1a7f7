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
    void sendAllGoesOnPastAFailureAndTellsEachOutcome() throws Exception {
        try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket b = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             Descriptor fd = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM");
             MsgVector v = MsgVector.sharedPayload(3, 1500)) {
            a.setSoTimeout(5000);
            b.setSoTimeout(5000);
            v.destination(0, LOOPBACK, a.getLocalPort());
            v.destination(1, InetAddress.getByName("::1"), b.getLocalPort()); // an IPv6 address on an IPv4 socket: refused
            v.destination(2, LOOPBACK, b.getLocalPort());
            byte[] payload = {9, 8, 7, 6};
            v.load(new byte[] {0, 9, 8, 7, 6, 0}, 1, 4);
            int[] results = {-1, -1, -1, 99};
            assertEquals(1, v.sendAll(fd.fd(), 3, 0, results));
            assertEquals(0, results[0], "sent");
            assertTrue(results[1] == Errno.EAFNOSUPPORT || results[1] == Errno.EINVAL, "refused: " + Errno.name(results[1]));
            assertEquals(0, results[2], "sent after the failure");
            assertEquals(99, results[3], "beyond count: untouched");
            for (DatagramSocket s : new DatagramSocket[] {a, b}) {
                DatagramPacket p = new DatagramPacket(new byte[100], 100);
                s.receive(p);
                assertArrayEquals(payload, Arrays.copyOf(p.getData(), p.getLength()), "the loaded payload, from its offset");
            }
        }
    }

    @Test
    void linkDestinationsAreSockaddrLl() {
        try (MsgVector v = MsgVector.sharedPayload(2, 64)) {
            v.linkDestination(1, 7, Linux.ETH_P_IP, 0x0200_0000_00abL);
            long at = v.nameOffset(1);
            byte[] sll = new byte[Linux.SOCKADDR_LL_SIZE];
            v.names().get(at, sll, 0, sll.length);
            assertEquals(Linux.AF_PACKET, SockAddr.family(v.names(), at));
            assertArrayEquals(new byte[] {0x08, 0x00}, Arrays.copyOfRange(sll, 2, 4), "EtherType in network byte order");
            assertEquals(7, v.names().getInt(at + 4), "ifindex");
            assertEquals(6, sll[11], "halen");
            assertArrayEquals(new byte[] {2, 0, 0, 0, 0, (byte) 0xab}, Arrays.copyOfRange(sll, 12, 18));
            v.linkProtocol(2, Linux.ETH_P_IPV6);
            v.names().get(at, sll, 0, sll.length);
            assertArrayEquals(new byte[] {(byte) 0x86, (byte) 0xdd}, Arrays.copyOfRange(sll, 2, 4));
        }
    }

    @Test
    void receivesABatchWithLengthsSourceAddressesAndTruncation() throws Exception {
        try (Descriptor fd = Descriptor.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM");
             MsgVector v = MsgVector.withSlots(4, 64);
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            int port = Loopback.bind(fd.fd());
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
}
