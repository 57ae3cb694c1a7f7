package dev.pmtud.sink.raw;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PeerCounters;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.TestContext;
import java.net.InetAddress;
import java.util.List;

/** Builds raw sinks through their factory, from a config block written as key/value pairs. */
final class Sinks {
    /** The node name every sink test's context has, and so the {@code node} tag of its metrics. */
    static final String NODE = "node-a";

    private Sinks() {
    }

    /** A context on {@link #NODE} with these peers (in order) and excluded networks. */
    static TestContext context(List<InetAddress> peers, List<Cidr> excluded) {
        return new TestContext(NODE).withPeers(peers).excluding(excluded);
    }

    static RawSink create(TestContext ctx, String... keysAndValues) {
        return (RawSink) new RawSinkFactory().create(Cfg.component("sinks", "raw", (Object[]) keysAndValues), ctx);
    }

    /** {@code pmtud_peer_sent_total} of {@code peer} from the sink named {@code raw}, -1 when the series does not exist. */
    static long sent(TestContext ctx, String peer) {
        return ctx.metrics().count(PeerCounters.SENT, "node", NODE, "sink", "raw", "peer", peer);
    }

    /** Whether the sink named {@code raw} has a {@code pmtud_peer_sent_total} series for {@code peer}. */
    static boolean hasSent(TestContext ctx, String peer) {
        return ctx.metrics().has(PeerCounters.SENT, "node", NODE, "sink", "raw", "peer", peer);
    }

    /** {@code pmtud_peer_send_errors_total} of {@code peer} with {@code errno}, -1 when the series does not exist. */
    static long errors(TestContext ctx, String peer, String errno) {
        return ctx.metrics().count(PeerCounters.ERRORS, "node", NODE, "sink", "raw", "peer", peer, "errno", errno);
    }

    /** Messages to {@code peer} sent, or (on a busy machine) refused by a full queue (ENOBUFS, EAGAIN). */
    static long sentOrQueueFull(TestContext ctx, String peer) {
        return sent(ctx, peer) + Math.max(0, errors(ctx, peer, "ENOBUFS")) + Math.max(0, errors(ctx, peer, "EAGAIN"));
    }

    /** {@code pmtud_peer_send_failed_total} of {@code peer} (every errno), -1 when the series does not exist. */
    static long failed(TestContext ctx, String peer) {
        return ctx.metrics().count(PeerCounters.FAILED, "node", NODE, "sink", "raw", "peer", peer);
    }

    /** A decoded packet over {@code l3} as an NFLOG source would hand it on. */
    static Packet packet(byte[] l3) {
        Packet p = new Packet().wrap(l3, 0, l3.length, LinkType.RAW, 1L);
        if (!p.decode()) {
            throw new IllegalArgumentException("test message is invalid: " + p.invalidReason());
        }
        return p;
    }
}
