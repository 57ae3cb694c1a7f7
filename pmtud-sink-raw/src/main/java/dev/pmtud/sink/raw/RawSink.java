package dev.pmtud.sink.raw;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Health;
import dev.pmtud.api.Outage;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * Replicates each forwarded message to the peers over raw sockets, in one of four {@link Mode}s,
 * each a {@link Replicator} that brings its sockets and its own loop guard: l3 and ipip an
 * {@link IpReplicator}, l2-unicast a {@link UnicastReplicator}, l2-broadcast a
 * {@link BroadcastReplicator}. This class only picks one and delegates; the {@link Refresher}
 * thread keeps what the replicator knows of the kernel up to date (its interface, followed by name,
 * included). While it cannot send, its {@link Outage} logs it, counts it and answers {@link #health()}.
 */
final class RawSink implements Sink {
    private final RawSettings settings;
    private final System.Logger log;
    private final Refresher refresher;
    private final Replicator replicator;
    private final Outage outage;

    RawSink(RawSettings settings, PipelineContext context) {
        this.settings = settings;
        this.log = context.logger();
        this.outage = new Outage(context, Outage.SINK, settings.label());
        this.refresher = new Refresher(settings, log);
        this.replicator = switch (settings.mode()) {
            case L3, IPIP -> new IpReplicator(settings, context, log, outage);
            case L2_UNICAST -> new UnicastReplicator(settings, context, refresher, log, outage);
            case L2_BROADCAST -> new BroadcastReplicator(settings, log, outage);
        };
    }

    Mode mode() {
        return settings.mode();
    }

    /** The interface sent on (l2 modes, or l3/ipip with {@code interface:}), {@code null} otherwise. */
    String interfaceName() {
        SendInterface i = replicator.sendInterface();
        return i == null ? null : i.name();
    }

    /** The peers' MACs as the sink last read them from the neighbour table (diagnostics, tests). */
    Map<InetAddress, String> peerMacs() {
        return replicator.peerMacs();
    }

    @Override
    public Filter loopGuard() {
        return replicator.loopGuard();
    }

    /** What this mode cannot reach (l3, l2-broadcast), for {@code validate} and the start log. */
    @Override
    public List<String> notes() {
        return settings.mode().caveat() == null ? List.of() : List.of(settings.mode().caveat());
    }

    @Override
    public void open() throws IOException {
        try {
            replicator.open();
            refresher.start(replicator);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        log.log(System.Logger.Level.INFO, "raw sink {0}: mode {1}{2}, ttl {3}", settings.label(), settings.mode().text,
                interfaceName() == null ? "" : " on " + interfaceName(), settings.ttl());
    }

    /** Failing while its interface is gone or a message reached no peer, until one does again. */
    @Override
    public Health health() {
        return outage.health();
    }

    @Override
    public void send(Packet packet) throws IOException {
        replicator.send(packet);
    }

    @Override
    public void close() {
        refresher.close();
        replicator.close();
    }
}
