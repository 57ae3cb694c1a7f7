package dev.pmtud.relay;

import static dev.pmtud.relay.TwoNodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.testkit.AllocationCheck;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.SourceThread;
import dev.pmtud.testkit.TestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The udp source's socket: one daemon per port, prompt close, and a receive path that allocates nothing. */
@Tag("netns")
class UdpSourceNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aSecondSourceOnThePortIsRefusedWithOneLineAndCloseStopsTheReceiverAtOnce() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("udp-port")) {
            UdpSource first = source(new TestContext(), "[::]:4390");
            ns.call(() -> {
                first.open();
                return null;
            });
            SourceThread receiver = SourceThread.start(first, p -> { }, "udp-source-under-test");
            try {
                for (String listen : List.of("[::]:4390", "0.0.0.0:4390")) {
                    UdpSource second = source(new TestContext(), listen);
                    IOException e = assertThrows(IOException.class, () -> ns.call(() -> {
                        second.open();
                        return null;
                    }));
                    String shown = listen.startsWith("[") ? "[::]:4390" : "0.0.0.0:4390";
                    assertEquals("udp source udp: cannot listen on " + shown + ": the port is in use (EADDRINUSE); another "
                            + "pmtud is probably running (or another program holds UDP port 4390: `ss -ulpn` shows which)",
                            e.getMessage());
                    second.close();
                }
            } finally {
                // wakeup() stops the receiver without waiting out the poll timeout (1 s); its own
                // thread then closes the socket
                Duration took = receiver.stop(Duration.ofSeconds(3));
                assertTrue(took.toMillis() < 900, "run() returned " + took.toMillis() + " ms after wakeup()");
            }
            // the port is free again; and a wakeup() that comes before run() begins stops it at once too
            UdpSource third = source(new TestContext(), "[::]:4390");
            ns.call(() -> {
                third.open();
                return null;
            });
            third.wakeup();
            try (SourceThread t = SourceThread.start(third, p -> { })) {
                assertTrue(t.awaitEnd(Duration.ofMillis(900)), "run() returned although woken before it began");
            }
        }
    }

    @Test
    void receivingVerifyingAndInjectingAllocateNothingPerDatagram() throws Exception {
        Netns.assumeRoot();
        byte[] key = Relay.key(5);
        Path keyFile = Relay.keyFile(dir, "rw-------", key);
        try (TwoNodes rig = new TwoNodes()) {
            TestContext nodeCtx = new TestContext("relay-node").withPeers(List.of(InetAddress.getByName(PEER_V4)));
            UdpSource source = source(nodeCtx, "[::]:" + PORT, "key-file", keyFile.toString());
            InjectSink inject = (InjectSink) new InjectSinkFactory().create(Cfg.component("sinks", "inject"), nodeCtx);
            TestContext peerCtx = new TestContext("relay-peer").withPeers(List.of(InetAddress.getByName(NODE_V4)));
            UdpSink sender = (UdpSink) new UdpSinkFactory().create(Cfg.component("sinks", "udp", "key-file", keyFile.toString()), peerCtx);
            rig.node.call(() -> {
                inject.open();
                source.open();
                return null;
            });
            rig.peer.call(() -> {
                sender.open();
                return null;
            });
            AtomicLong handled = new AtomicLong();
            AtomicLong injectFailures = new AtomicLong();
            PacketHandler handler = p -> {
                if (p.decode()) {
                    try {
                        inject.send(p);
                    } catch (IOException e) {
                        injectFailures.incrementAndGet();
                    }
                }
                handled.incrementAndGet();
            };
            SourceThread receiver = SourceThread.start(source, handler, "udp-source-under-test");
            try {
                Packet packet = new Packet();
                byte[] v4 = Ptb.v4().from("203.0.113.1").to(NODE_V4).build();
                packet.wrap(v4, 0, v4.length, LinkType.RAW, 1L).decode();
                int chunk = 200; // well inside the socket buffer: nothing is lost, every datagram is handled
                int warmup = 3000;
                int measured = 2000;
                sendAndAwait(sender, packet, handled, 0, warmup, chunk);
                long before = AllocationCheck.allocatedBytes(receiver.thread());
                assertTrue(before > 0, "the receiving thread's allocations are measurable");
                sendAndAwait(sender, packet, handled, warmup, warmup + measured, chunk);
                long allocated = AllocationCheck.allocatedBytes(receiver.thread()) - before;
                assertTrue(allocated < measured, "the receiving thread allocated " + allocated + " bytes for " + measured
                        + " datagrams (receive, peer lookup, MAC, seen-set, decode, TUN write)");
                assertEquals(0, injectFailures.get());
                assertEquals(warmup + measured, inject.writtenCount(), "every datagram was accepted and injected");
                assertEquals(warmup + measured, source.receivedFrom(InetAddress.getByName(PEER_V4)), "counted for the peer that sent them");
                assertEquals(warmup + measured, nodeCtx.metrics().count(UdpSource.RECEIVED, "node", "relay-node", "source", "udp",
                        "peer", PEER_V4), "pmtud_peer_received_total{peer} as exposed: " + nodeCtx.metrics());
                assertEquals(0, source.discards().count("replayed") + source.discards().count("seen-set-full"));
            } finally {
                receiver.stop(Duration.ofSeconds(2));
                sender.close();
                inject.close();
            }
            assertFalse(receiver.thread().isAlive());
        }
    }

    private static void sendAndAwait(UdpSink sender, Packet packet, AtomicLong handled, int from, int to, int chunk)
            throws Exception {
        for (int i = from; i < to; i += chunk) {
            int end = Math.min(to, i + chunk);
            for (int k = i; k < end; k++) {
                sender.send(packet);
            }
            Await.until(WAIT, end + " datagrams handled", () -> handled.get() == end);
        }
    }

    private UdpSource source(TestContext ctx, String listen, String... more) {
        Object[] kv = new Object[more.length + 2];
        kv[0] = "listen";
        kv[1] = listen;
        System.arraycopy(more, 0, kv, 2, more.length);
        return (UdpSource) new UdpSourceFactory().create(Cfg.component("sources", "udp", kv), ctx);
    }
}
