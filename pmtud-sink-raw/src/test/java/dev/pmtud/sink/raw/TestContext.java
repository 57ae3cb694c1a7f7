package dev.pmtud.sink.raw;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.PeerSet;
import dev.pmtud.api.PipelineContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** A PipelineContext for tests: a fixed (but replaceable) peer set and metrics that can be read. */
final class TestContext implements PipelineContext {
    final TestMetrics metrics = new TestMetrics();
    private final List<Cidr> excluded;
    private volatile Set<InetAddress> peers;
    private final List<Consumer<Set<InetAddress>>> listeners = new CopyOnWriteArrayList<>();

    TestContext(List<InetAddress> peers, List<Cidr> excluded) {
        this.peers = Collections.unmodifiableSet(new LinkedHashSet<>(peers));
        this.excluded = excluded;
    }

    void setPeers(List<InetAddress> p) {
        peers = Collections.unmodifiableSet(new LinkedHashSet<>(p));
        listeners.forEach(l -> l.accept(peers));
    }

    @Override
    public String nodeName() {
        return "node-a";
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    private final PeerSet peerSet = new PeerSet() {
            @Override
            public Set<InetAddress> current() {
                return peers;
            }

            @Override
            public void addListener(Consumer<Set<InetAddress>> listener) {
                listeners.add(listener);
            }
        };

    @Override
    public PeerSet peers() {
        return peerSet;
    }

    @Override
    public List<Cidr> excludedNetworks() {
        return excluded;
    }

    @Override
    public System.Logger logger(String component) {
        return System.getLogger("pmtud." + component);
    }

    /** Counters by {@code name{k=v,...}} (tags in the order given). */
    static final class TestMetrics implements Metrics {
        final Map<String, Counter> counters = new ConcurrentHashMap<>();

        static String key(String name, String... tags) {
            List<String> kv = new ArrayList<>();
            for (int i = 0; i + 1 < tags.length; i += 2) {
                kv.add(tags[i] + "=" + tags[i + 1]);
            }
            Collections.sort(kv);
            return name + kv;
        }

        long count(String name, String... tags) {
            Counter c = counters.get(key(name, tags));
            return c == null ? -1 : c.count();
        }

        boolean has(String name, String... tags) {
            return counters.containsKey(key(name, tags));
        }

        @Override
        public Counter counter(String name, String help, String... tags) {
            return counters.computeIfAbsent(key(name, tags), k -> new Counter() {
                private final java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();

                @Override
                public void increment() {
                    n.incrementAndGet();
                }

                @Override
                public void add(long amount) {
                    n.addAndGet(amount);
                }

                @Override
                public long count() {
                    return n.get();
                }
            });
        }

        @Override
        public void gauge(String name, String help, Supplier<Number> value, String... tags) {
        }

        @Override
        public void functionCounter(String name, String help, Supplier<Number> value, String... tags) {
        }
    }
}
