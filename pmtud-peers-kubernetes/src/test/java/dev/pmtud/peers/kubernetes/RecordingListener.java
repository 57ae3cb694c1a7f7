package dev.pmtud.peers.kubernetes;

import static org.junit.jupiter.api.Assertions.fail;

import dev.pmtud.api.PeerListener;
import dev.pmtud.api.Values;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a provider reports and lets a test wait for a particular report. */
final class RecordingListener implements PeerListener {
    static final Duration WAIT = Duration.ofSeconds(60);

    record Failure(String reason, String detail) {
    }

    final BlockingQueue<Set<InetAddress>> sets = new LinkedBlockingQueue<>();
    final BlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
    final List<Set<InetAddress>> history = new ArrayList<>();

    @Override
    public void peersChanged(Set<InetAddress> peers) {
        sets.add(Set.copyOf(peers));
    }

    @Override
    public void refreshFailed(String reason, String detail) {
        failures.add(new Failure(reason, detail));
    }

    static Set<InetAddress> ips(String... addresses) {
        Set<InetAddress> s = new LinkedHashSet<>();
        for (String a : addresses) {
            s.add(Values.parseAddress(a));
        }
        return Set.copyOf(s);
    }

    /** Waits until the provider reports exactly {@code expected} (earlier, intermediate sets are skipped). */
    Set<InetAddress> awaitPeers(Set<InetAddress> expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Set<InetAddress> s = left > 0 ? sets.poll(left, TimeUnit.NANOSECONDS) : null;
            if (s == null) {
                fail("no peer set " + expected + " reported within " + WAIT + "; reported: " + history);
            }
            history.add(s);
            if (s.equals(expected)) {
                return s;
            }
        }
    }

    Failure awaitFailure() throws InterruptedException {
        Failure f = failures.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (f == null) {
            fail("no refresh failure reported within " + WAIT);
        }
        return f;
    }
}
