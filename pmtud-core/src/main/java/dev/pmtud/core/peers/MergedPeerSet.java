package dev.pmtud.core.peers;

import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerListener;
import dev.pmtud.api.PeerSet;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The union of every provider's latest good set, minus this node's own addresses. Each provider
 * reports through its own {@link #listener(String) listener}; a failed refresh keeps that provider's
 * last good set (a flaky API server must not empty the peer list) and is counted.
 *
 * <p>Two are built per node: the peers the sinks replicate to ({@link #peers}, {@code peers:}) and
 * the cluster's own service addresses ({@link #clusterAddresses}, {@code cluster.addresses:}), which
 * filters read and which keep this node's addresses.
 */
public final class MergedPeerSet implements PeerSet {
    private static final System.Logger LOG = System.getLogger(MergedPeerSet.class.getName());

    private final Metrics metrics;
    private final Supplier<Set<InetAddress>> ownAddresses;
    private final Map<String, Set<InetAddress>> byProvider = new LinkedHashMap<>();
    private final Map<String, Metrics.Counter> failures = new ConcurrentHashMap<>();
    private final List<Consumer<Set<InetAddress>>> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private volatile Set<InetAddress> current = Set.of();
    /** What the set holds, for logs ({@code peers}, {@code cluster addresses}). */
    private final String what;
    /** Put before a provider's name in the {@code provider} label of its failures (empty for the peers). */
    private final String labelPrefix;

    /** The peers the sinks replicate to, without {@code ownAddresses}; gauge {@code pmtud_peers}. */
    public MergedPeerSet(Metrics metrics, Supplier<Set<InetAddress>> ownAddresses) {
        this(metrics, ownAddresses, "peers", "", "pmtud_peers",
                "Peers the sinks replicate to (merged from every provider, own addresses removed)");
    }

    private MergedPeerSet(Metrics metrics, Supplier<Set<InetAddress>> ownAddresses, String what, String labelPrefix,
                          String gauge, String help) {
        this.metrics = metrics;
        this.ownAddresses = ownAddresses;
        this.what = what;
        this.labelPrefix = labelPrefix;
        metrics.gauge(gauge, help, () -> current.size());
    }

    /** {@link #MergedPeerSet(Metrics, Supplier) The peers}. */
    public static MergedPeerSet peers(Metrics metrics, Supplier<Set<InetAddress>> ownAddresses) {
        return new MergedPeerSet(metrics, ownAddresses);
    }

    /**
     * The cluster's own service addresses ({@code cluster.addresses:}): nothing is removed (this node's
     * addresses are the cluster's too); gauge {@code pmtud_cluster_addresses}; its providers' failures
     * are counted with {@code provider="cluster-addresses/NAME"}.
     */
    public static MergedPeerSet clusterAddresses(Metrics metrics) {
        return new MergedPeerSet(metrics, Set::of, "cluster addresses", "cluster-addresses/", "pmtud_cluster_addresses",
                "The cluster's own service addresses (merged from every cluster.addresses provider), which filters keep");
    }

    @Override
    public Set<InetAddress> current() {
        return current;
    }

    @Override
    public void addListener(Consumer<Set<InetAddress>> listener) {
        listeners.add(listener);
    }

    /** Stops telling {@code listener} about changes (a component a reload removed). */
    public void removeListener(Consumer<Set<InetAddress>> listener) {
        listeners.remove(listener);
    }

    /** What the provider labelled {@code provider} (its name) reports to; its failures are counted in this set's metrics. */
    public PeerListener listener(String provider) {
        return listener(provider, provider, metrics);
    }

    /**
     * What one running provider reports to.
     *
     * @param key      its slot in this set: two providers of one name run side by side while a
     *                 reload replaces one (the new one starts before the old one stops), each in its own slot
     * @param provider its name, for logs and (after the set's prefix) the {@code provider} label of its failures
     * @param counted  where its failures are counted (the provider's own metrics, removed with it)
     */
    public PeerListener listener(String key, String provider, Metrics counted) {
        synchronized (this) {
            byProvider.putIfAbsent(key, Set.of());
        }
        return new PeerListener() {
            @Override
            public void peersChanged(Set<InetAddress> peers) {
                update(key, peers);
            }

            @Override
            public void refreshFailed(String reason, String detail) {
                failed(key, labelPrefix + provider, counted, reason, detail);
            }
        };
    }

    /**
     * Forgets the provider in slot {@code key} (closed by a reload): its peers leave the set unless
     * another provider reports them too; listeners are told as for any change.
     */
    public void remove(String key) {
        Set<InetAddress> before;
        Set<InetAddress> after;
        synchronized (this) {
            if (byProvider.remove(key) == null) {
                return;
            }
            before = current;
            after = merge();
            current = after;
        }
        reported.remove(key);
        failures.keySet().removeIf(k -> k.startsWith(key + '\0'));
        changed(before, after);
    }

    /** Whether {@code provider} has reported at least once, a set or a failure. */
    public boolean hasReported(String provider) {
        return reported.contains(provider);
    }

    /**
     * Waits until every one of {@code providers} has reported once (a set or a failure).
     *
     * @return the providers still silent when the time ran out (empty when all reported)
     */
    public List<String> awaitFirstReports(java.util.Collection<String> providers, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (reported) {
            while (true) {
                List<String> silent = new ArrayList<>();
                for (String p : providers) {
                    if (!reported.contains(p)) {
                        silent.add(p);
                    }
                }
                long left = deadline - System.nanoTime();
                if (silent.isEmpty() || left <= 0) {
                    return silent;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(reported, left);
            }
        }
    }

    private void markReported(String provider) {
        synchronized (reported) {
            reported.add(provider);
            reported.notifyAll();
        }
    }

    void update(String provider, Set<InetAddress> peers) {
        Set<InetAddress> before;
        Set<InetAddress> after;
        synchronized (this) {
            if (!byProvider.containsKey(provider)) {
                return; // removed by a reload: a late report of a closed provider counts no more
            }
            Set<InetAddress> copy = new LinkedHashSet<>();
            for (InetAddress a : peers) {
                copy.add(OwnAddresses.withoutScope(a));
            }
            byProvider.put(provider, copy);
            before = current;
            after = merge();
            current = after;
        }
        markReported(provider);
        changed(before, after);
    }

    private void changed(Set<InetAddress> before, Set<InetAddress> after) {
        if (!after.equals(before)) {
            logChange(before, after);
            for (Consumer<Set<InetAddress>> l : listeners) {
                try {
                    l.accept(after);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "a listener of the " + what + " failed: " + e, e);
                }
            }
        }
    }

    void failed(String provider, String reason, String detail) {
        failed(provider, labelPrefix + provider, metrics, reason, detail);
    }

    private void failed(String key, String provider, Metrics counted, String reason, String detail) {
        markReported(key);
        failures.computeIfAbsent(key + '\0' + reason, k -> counted.counter("pmtud_peer_refresh_failures_total",
                "Peer refreshes that failed (the provider's last good set is kept)", "provider", provider, "reason", reason))
                .increment();
        LOG.log(System.Logger.Level.WARNING, what + ": " + provider + " refresh failed (" + reason + "): " + detail
                + "; keeping its last good set of " + byProviderSize(key) + " " + what);
    }

    private synchronized int byProviderSize(String provider) {
        Set<InetAddress> s = byProvider.get(provider);
        return s == null ? 0 : s.size();
    }

    private Set<InetAddress> merge() {
        Set<InetAddress> own = ownAddresses.get();
        Set<InetAddress> union = new HashSet<>();
        for (Set<InetAddress> s : byProvider.values()) {
            for (InetAddress a : s) {
                if (!own.contains(a)) {
                    union.add(a);
                }
            }
        }
        List<InetAddress> all = new ArrayList<>(union);
        // A stable order makes logs and per-peer work reproducible.
        all.sort(Comparator.comparing((InetAddress a) -> a.getAddress().length)
                .thenComparing(a -> a.getAddress(), java.util.Arrays::compareUnsigned));
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(all));
    }

    private void logChange(Set<InetAddress> before, Set<InetAddress> after) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (InetAddress a : after) {
            if (!before.contains(a)) {
                added.add(dev.pmtud.api.Values.formatAddress(a));
            }
        }
        for (InetAddress a : before) {
            if (!after.contains(a)) {
                removed.add(dev.pmtud.api.Values.formatAddress(a));
            }
        }
        LOG.log(System.Logger.Level.INFO, what + ": " + after.size() + " now"
                + (added.isEmpty() ? "" : ", added " + String.join(" ", added))
                + (removed.isEmpty() ? "" : ", removed " + String.join(" ", removed)));
    }
}
