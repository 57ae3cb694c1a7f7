package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/** l2-unicast's loop guard: a frame from a peer's MAC (as the neighbour table knows them) is a peer's copy. */
final class PeerMacGuard implements Filter {
    static final String FROM_PEER_MAC = "from-peer-mac";
    private final Verdict drop = Verdict.drop(FROM_PEER_MAC);
    private final Supplier<NeighbourTable.Snapshot> macs;

    /** @param macs the peers' MACs as the sink last read them (read per packet: must not allocate) */
    PeerMacGuard(Supplier<NeighbourTable.Snapshot> macs) {
        this.macs = macs;
    }

    @Override
    public Verdict apply(Packet p) {
        p.decode(); // reads the frame's source MAC when the source gave none; idempotent
        return p.hasSourceMac() && macs.get().hasMac(p.sourceMac()) ? drop : Verdict.PASS;
    }

    @Override
    public Collection<String> dropReasons() {
        return List.of(FROM_PEER_MAC);
    }
}
