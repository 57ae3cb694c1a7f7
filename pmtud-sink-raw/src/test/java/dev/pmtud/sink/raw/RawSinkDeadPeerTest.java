package dev.pmtud.sink.raw;

import static dev.pmtud.sink.raw.Wire.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Packet;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12.5: a peer that stops answering (its link down, as a node that died) is counted as
 * errors for that peer ({@code neighbour-failed}), never as sent, once the kernel has found out;
 * the other peer keeps getting every message, and the dead one is counted as sent again once it is
 * back. l2-unicast sends frames from a packet socket, which never makes the kernel check a stale
 * neighbour entry, so the sink asks it to; l3 goes through the kernel's neighbour code, which takes
 * each copy and drops it unreported once resolution failed.
 */
@Tag("netns")
class RawSinkDeadPeerTest {
    private static final Duration FOUND_OUT = Duration.ofSeconds(30);
    private static final long SEND_SPACING_NANOS = 100_000_000L;
    private static final int MESSAGES = 10;
    /** Messages measured for allocation (the probe itself costs ~1.6 KB, so at least 2000 for "under a byte each"). */
    private static final int MEASURED = 2000;

    @Test
    void aPeerThatStopsAnsweringIsCountedAsErrorsNotAsSent() throws Exception {
        Netns.assumeRoot();
        try (Lan lan = new Lan()) {
            lan.fastNeighbourTimers();
            for (String mode : List.of("l2-unicast", "l3")) {
                TestContext ctx = Sinks.context(List.of(ip(Lan.peerV4(0)), ip(Lan.peerV4(1))), List.of(Cidr.parse("192.0.2.0/24")));
                try (LanSink rig = new LanSink(lan, mode.equals("l3") ? Sinks.create(ctx, "mode", mode, "refresh", "1s")
                        : Sinks.create(ctx, "mode", mode, "interface", "eth0", "refresh", "1s"))) {
                    RawSink sink = rig.sink;
                    Packet packet = Sinks.packet(Ptb.v4().mtu(1400).build());
                    Paced paced = new Paced(sink, packet);
                    String alive = Lan.peerV4(0);
                    String dead = Lan.peerV4(1);
                    Await.until(FOUND_OUT, mode + ": both peers reached", () -> paced.send() && Sinks.sent(ctx, dead) > 0
                            && Sinks.sent(ctx, alive) > 0);
                    lan.peerLink(1, false);
                    Await.until(FOUND_OUT, () -> mode + ": the dead peer counted as neighbour-failed; " + ctx.metrics(),
                            () -> paced.send() && Sinks.errors(ctx, dead, NeighbourTable.FAILED) > 0);
                    long sentToDead = Sinks.sent(ctx, dead);
                    long failedToDead = Sinks.errors(ctx, dead, NeighbourTable.FAILED);
                    long sentToAlive = Sinks.sent(ctx, alive);
                    for (int i = 0; i < MESSAGES; i++) {
                        sink.send(packet);
                    }
                    assertEquals(sentToDead, Sinks.sent(ctx, dead), mode + ": nothing counted as sent to the dead peer");
                    assertEquals(failedToDead + MESSAGES, Sinks.errors(ctx, dead, NeighbourTable.FAILED),
                            mode + ": every message counted as an error for the dead peer");
                    assertEquals(sentToAlive + MESSAGES, Sinks.sent(ctx, alive), mode + ": the other peer got every message");
                    assertTrue(sink.health().ok(), mode + ": one dead peer of two does not make the sink fail: " + sink.health());
                    long allocated = SendAllocation.bytes(sink, packet, 3000, MEASURED);
                    assertTrue(allocated < MEASURED, () -> mode + ": allocated " + allocated + " bytes for " + MEASURED
                            + " messages with a dead peer; " + ctx.metrics());
                    assertEquals(sentToDead, Sinks.sent(ctx, dead), mode + ": still nothing counted as sent to the dead peer");

                    lan.peerLink(1, true);
                    Await.until(FOUND_OUT, () -> mode + ": the peer counted as sent again once it is back; " + ctx.metrics(),
                            () -> paced.send() && Sinks.sent(ctx, dead) > sentToDead);
                }
            }
        }
    }

    /** Sends at most one message every 100 ms: what a condition polled every few milliseconds may call. */
    private static final class Paced {
        private final RawSink sink;
        private final Packet packet;
        private long last = System.nanoTime() - SEND_SPACING_NANOS;

        Paced(RawSink sink, Packet packet) {
            this.sink = sink;
            this.packet = packet;
        }

        /** Sends if it is time; always true, so it can lead a condition. */
        boolean send() {
            long now = System.nanoTime();
            if (now - last >= SEND_SPACING_NANOS) {
                last = now;
                try {
                    sink.send(packet);
                } catch (Exception e) {
                    throw new AssertionError(Arrays.toString(e.getStackTrace()), e);
                }
            }
            return true;
        }
    }
}
