package dev.pmtud.sink.raw;

import dev.pmtud.testkit.Netns;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw sink opened on a {@link Lan}'s node, and a capture on every peer's {@code eth0} started
 * before it opened, so that no copy is missed. Closing closes the sink, then the captures.
 */
final class LanSink implements AutoCloseable {
    final RawSink sink;
    /** One per peer, in {@link Lan#peers} order. */
    final List<PacketCapture> captures = new ArrayList<>();

    LanSink(Lan lan, RawSink sink) throws Exception {
        this.sink = sink;
        try {
            for (Netns p : lan.peers) {
                captures.add(p.call(() -> PacketCapture.open("eth0")));
            }
            lan.openOnNode(sink);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        sink.close();
        for (PacketCapture c : captures) {
            c.close();
        }
    }
}
