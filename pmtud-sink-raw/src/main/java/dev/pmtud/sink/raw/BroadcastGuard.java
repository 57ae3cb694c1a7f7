package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import java.util.Collection;
import java.util.List;

/** l2-broadcast's loop guard: a frame that arrived as a broadcast is (or may be) a peer's copy. */
final class BroadcastGuard implements Filter {
    static final String ARRIVED_AS_BROADCAST = "arrived-as-broadcast";
    private static final Verdict DROP = Verdict.drop(ARRIVED_AS_BROADCAST);

    @Override
    public Verdict apply(Packet p) {
        return p.arrivedAsBroadcast() ? DROP : Verdict.PASS;
    }

    @Override
    public Collection<String> dropReasons() {
        return List.of(ARRIVED_AS_BROADCAST);
    }
}
