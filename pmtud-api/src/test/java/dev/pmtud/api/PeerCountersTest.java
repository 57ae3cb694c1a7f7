package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Per-peer counters of the sinks that address peers (raw, udp): labels, error series, who is a peer. */
class PeerCountersTest {
    private static final IntFunction<String> ERRNO = n -> n == 113 ? "EHOSTUNREACH" : "errno-" + n;

    /** Every counter registered, as {@code name tag=value ...}, in order. */
    private static final class Registered implements Metrics {
        final List<String> series = new ArrayList<>();

        @Override
        public Counter counter(String name, String help, String... tags) {
            StringBuilder s = new StringBuilder(name);
            for (int i = 0; i < tags.length; i += 2) {
                s.append(' ').append(tags[i]).append('=').append(tags[i + 1]);
            }
            series.add(s.toString());
            return Metrics.NOOP.counter(name, help, tags);
        }

        @Override
        public void gauge(String name, String help, Supplier<Number> value, String... tags) {
        }

        @Override
        public void functionCounter(String name, String help, Supplier<Number> value, String... tags) {
        }
    }

    @Test
    void thePeerLabelIsTheAddressAsPeopleWriteIt() {
        Registered m = new Registered();
        for (String a : List.of("2001:db8:0:0:0:0:0:2", "2001:db8:0:1:0:0:0:0", "2001:0:0:1:2:0:0:3", "192.0.2.1")) {
            new PeerCounters(m, "node-a", "raw", Values.parseAddress(a), ERRNO);
        }
        assertEquals(List.of(
                "pmtud_peer_sent_total node=node-a sink=raw peer=2001:db8::2",
                "pmtud_peer_sent_total node=node-a sink=raw peer=2001:db8:0:1::",
                "pmtud_peer_sent_total node=node-a sink=raw peer=2001::1:2:0:0:3", // RFC 5952: the first of equal runs
                "pmtud_peer_sent_total node=node-a sink=raw peer=192.0.2.1"),
                m.series.stream().filter(x -> x.startsWith(PeerCounters.SENT)).toList());
    }

    @Test
    void anErrorSeriesAppearsWithItsFirstErrorAndIsFoundAgain() {
        Registered m = new Registered();
        PeerCounters c = new PeerCounters(m, "node-a", "udp", Values.parseAddress("192.0.2.2"), ERRNO);
        assertEquals(List.of(
                "pmtud_peer_sent_total node=node-a sink=udp peer=192.0.2.2",
                "pmtud_peer_send_failed_total node=node-a sink=udp peer=192.0.2.2"), m.series,
                "sent and failed (every errno) exist before any error; no errno series yet");
        Metrics.Counter unreachable = c.error(113);
        assertSame(unreachable, c.error(113));
        Metrics.Counter noMac = c.error("no-mac");
        assertSame(noMac, c.error(new String("no-mac")), "found by value, not only by identity");
        c.error(90);
        unreachable.increment();
        noMac.add(2);
        c.error(90).increment();
        assertEquals(4, c.failed().count(), "every errno's failures count into failed");
        assertEquals(1, unreachable.count());
        assertEquals(List.of(
                "pmtud_peer_sent_total node=node-a sink=udp peer=192.0.2.2",
                "pmtud_peer_send_failed_total node=node-a sink=udp peer=192.0.2.2",
                "pmtud_peer_send_errors_total node=node-a sink=udp peer=192.0.2.2 errno=EHOSTUNREACH",
                "pmtud_peer_send_errors_total node=node-a sink=udp peer=192.0.2.2 errno=no-mac",
                "pmtud_peer_send_errors_total node=node-a sink=udp peer=192.0.2.2 errno=errno-90"), m.series);
        c.sent().increment();
        c.sent().increment();
        assertEquals(2, c.sent().count());
    }

    @Test
    void aBatchsResultsAreCountedPerPeer() {
        Registered m = new Registered();
        PeerCounters a = new PeerCounters(m, "node-a", "raw", Values.parseAddress("192.0.2.2"), ERRNO);
        PeerCounters b = new PeerCounters(m, "node-a", "raw", Values.parseAddress("192.0.2.3"), ERRNO);
        PeerCounters[] batch = {a, b, a};
        PeerCounters.count(batch, new int[] {0, 113, 0, 113}, 3);
        PeerCounters.count(batch, new int[] {113, 0}, 2);
        assertEquals(2, a.sent().count());
        assertEquals(1, a.error(113).count());
        assertEquals(1, b.sent().count());
        assertEquals(1, b.error(113).count());
    }

    @Test
    void targetsLeaveOutThisNodeAndKeepTheirCountersAcrossSnapshots() {
        Registered m = new Registered();
        PeerTargets targets = new PeerTargets(context(m), "raw", ERRNO);
        InetAddress a = Values.parseAddress("192.0.2.2");
        InetAddress b = Values.parseAddress("2001:db8::3");
        InetAddress own = Values.parseAddress("192.0.2.1");
        Set<InetAddress> snapshot = new LinkedHashSet<>(List.of(a, own, Values.parseAddress("127.0.0.1"),
                Values.parseAddress("::"), b));
        assertEquals(List.of(a, b), targets.select(snapshot, Set.of(own)));
        assertEquals(4, m.series.size(), "sent and failed for the two peers, none for this node: " + m.series);
        PeerCounters ca = targets.counters(a);
        assertEquals(List.of(b), targets.select(Set.of(b), Set.of(own)));
        assertEquals(List.of(a, b), targets.select(snapshot, Set.of(own)));
        assertSame(ca, targets.counters(List.of(a, b))[0], "a peer that comes back keeps its counters");
        assertEquals(4, m.series.size());
        assertTrue(PeerTargets.isSelf(own, Set.of(own)));
    }

    private static PipelineContext context(Metrics metrics) {
        return new PipelineContext() {
            @Override
            public String nodeName() {
                return "node-a";
            }

            @Override
            public Metrics metrics() {
                return metrics;
            }

            @Override
            public PeerSet peers() {
                return new PeerSet() {
                    @Override
                    public Set<InetAddress> current() {
                        return Set.of();
                    }

                    @Override
                    public void addListener(Consumer<Set<InetAddress>> listener) {
                    }
                };
            }

            @Override
            public List<Cidr> excludedNetworks() {
                return List.of();
            }

            @Override
            public System.Logger logger() {
                return System.getLogger("dev.pmtud.sink.main.raw");
            }
        };
    }
}
