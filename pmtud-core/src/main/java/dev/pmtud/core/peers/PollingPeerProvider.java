package dev.pmtud.core.peers;

import dev.pmtud.api.PeerListener;
import dev.pmtud.api.PeerProvider;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A provider that looks its peers up again every period on a daemon thread of its own: the first
 * time inside {@link #start}, so that the first set (or failure) is known when start returns. A
 * set is reported only when it differs from the last one reported. Every {@link #poll} runs under
 * this object's lock, never after {@link #close}.
 */
abstract class PollingPeerProvider implements PeerProvider {
    private final String threadName;
    private final Duration period;
    private final Duration closeWait;
    private ScheduledExecutorService poller;
    private PeerListener listener;
    private Set<InetAddress> reported;

    /**
     * @param closeWait how long close() waits for a poll in progress (a DNS query is bounded by its timeout)
     */
    PollingPeerProvider(String threadName, Duration period, Duration closeWait) {
        this.threadName = threadName;
        this.period = period;
        this.closeWait = closeWait;
    }

    /** How long after one poll the next one starts. */
    protected final Duration period() {
        return period;
    }

    /** One look-up; reports through {@link #report} or {@code listener.refreshFailed}. */
    protected abstract void poll(PeerListener listener);

    /** Tells the listener about {@code peers} unless they are what it was last told. */
    protected final void report(PeerListener listener, Set<InetAddress> peers) {
        if (!peers.equals(reported)) {
            reported = peers;
            listener.peersChanged(Set.copyOf(peers));
        }
    }

    @Override
    public final synchronized void start(PeerListener listener) {
        this.listener = listener;
        tick();
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::tick, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    private synchronized void tick() {
        if (listener != null) {
            poll(listener);
        }
    }

    @Override
    public final void close() {
        ScheduledExecutorService p;
        synchronized (this) {
            p = poller;
            listener = null;
        }
        if (p != null) {
            p.shutdownNow();
            try {
                p.awaitTermination(closeWait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
