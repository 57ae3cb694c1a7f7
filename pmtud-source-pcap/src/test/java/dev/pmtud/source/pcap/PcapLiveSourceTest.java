package dev.pmtud.source.pcap;

import static org.junit.jupiter.api.Assertions.*;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Source;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.FrameSender;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.SourceThread;
import dev.pmtud.testkit.TestContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Live capture on a veth in a namespace, fed by crafted frames from the other end. */
class PcapLiveSourceTest {
    private static final String RX_MAC = "02:00:5e:00:53:01";
    private static final String TX_MAC = "02:00:5e:00:53:02";

    /** A source running as the runtime runs it (run, then close, on its own thread), collecting copies of what it hands on. */
    private static final class Running implements AutoCloseable {
        final Source source;
        final BlockingQueue<Packet> received = new LinkedBlockingQueue<>();
        final SourceThread thread;

        Running(Source source) {
            this.source = source;
            this.thread = SourceThread.start(source, p -> received.add(p.copy()), "pcap-live-test");
        }

        Packet next() throws InterruptedException {
            Packet p = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(p, "a packet within 10 s");
            return p;
        }

        /** wakeup() makes run() return within a second, without an error, and its thread closes the source. */
        void stopPromptly() throws InterruptedException {
            Duration took = thread.stop(Duration.ofSeconds(1));
            assertTrue(took.toMillis() < 1_000, "stopped after " + took.toMillis() + " ms");
        }

        @Override
        public void close() throws InterruptedException {
            thread.close();
        }
    }

    /** rx's eth0 and tx's, a veth pair with fixed MACs (made again after a deletion: new indexes). */
    private static void link(Netns rx, Netns tx) {
        Netns.veth(rx, "eth0", tx, "eth0");
        rx.exec("ip", "link", "set", "eth0", "address", RX_MAC);
        tx.exec("ip", "link", "set", "eth0", "address", TX_MAC);
    }

    @Test
    @Tag("netns")
    void anInterfaceDeletedAndCreatedAgainIsCapturedOnAgain() throws Exception {
        Netns.assumeRoot();
        try (Netns rx = Netns.create("rx"); Netns tx = Netns.create("tx")) {
            link(rx, tx);
            TestContext ctx = new TestContext("test");
            Source source = rx.call(() -> {
                Source s = create(ctx, "interface", "eth0");
                s.open();
                return s;
            });
            // started from inside rx, as the daemon's source threads are in its namespace: a re-opened capture must be there
            try (Running running = rx.call(() -> new Running(source))) {
                byte[] before = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v4().mtu(1400).build());
                try (FrameSender sender = tx.call(() -> FrameSender.open("eth0"))) {
                    sender.send(before);
                    assertArrayEquals(before, frameBytes(running.next()));
                }
                int oldIndex = Integer.parseInt(rx.exec("cat", "/sys/class/net/eth0/ifindex").stdout().trim());

                rx.exec("ip", "link", "del", "eth0");
                dev.pmtud.testkit.Await.until(Duration.ofSeconds(5), () -> "the source to say its interface is gone; " + source.health()
                        + ", thread failure " + running.thread.failure(), () -> !source.health().ok());
                assertTrue(source.health().problem().startsWith("interface eth0 is gone"), source.health().toString());
                assertFalse(running.thread.awaitEnd(Duration.ZERO), "the source's thread goes on, waiting for the interface");

                link(rx, tx);
                assertNotEquals(oldIndex, Integer.parseInt(rx.exec("cat", "/sys/class/net/eth0/ifindex").stdout().trim()));
                dev.pmtud.testkit.Await.until(Duration.ofSeconds(5), () -> "the capture open again on the new eth0; " + source.health(),
                        () -> source.health().ok());
                byte[] after = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v6().mtu(1280).build());
                try (FrameSender sender = tx.call(() -> FrameSender.open("eth0"))) {
                    sender.send(after);
                    Packet p = running.next();
                    assertArrayEquals(after, frameBytes(p));
                    assertEquals(Integer.parseInt(rx.exec("cat", "/sys/class/net/eth0/ifindex").stdout().trim()), p.interfaceIndex(),
                            "the new interface's index on what it captures");
                }
                assertEquals(1, ctx.metrics().count("pmtud_source_outages_total", "source", "pcap"), "the outage counted once");
                running.stopPromptly();
            }
        }
    }

    @Test
    @Tag("netns")
    void aSourceWaitingForItsInterfaceStopsPromptly() throws Exception {
        Netns.assumeRoot();
        try (Netns rx = Netns.create("rx"); Netns tx = Netns.create("tx")) {
            link(rx, tx);
            Source source = rx.call(() -> {
                Source s = create("interface", "eth0");
                s.open();
                return s;
            });
            try (Running running = rx.call(() -> new Running(source))) {
                rx.exec("ip", "link", "del", "eth0");
                dev.pmtud.testkit.Await.until(Duration.ofSeconds(5), "the source to wait for its interface", () -> !source.health().ok());
                running.stopPromptly();
            }
        }
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static Source create(String... kv) {
        return create(new TestContext("test"), kv);
    }

    private static Source create(TestContext ctx, String... kv) {
        return new PcapLiveSourceFactory().create(Cfg.component("sources", "pcap", (Object[]) kv), ctx);
    }

    /** Opens a source of {@code kv} inside {@code ns}; it must fail with a one-line IOException, returned. */
    private static IOException openFailsIn(Netns ns, String... kv) {
        IOException e = assertThrows(IOException.class, () -> ns.call(() -> {
            Source s = create(kv);
            try {
                s.open();
            } finally {
                s.close();
            }
            return s;
        }));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    private static byte[] frameBytes(Packet p) {
        return Arrays.copyOfRange(p.buffer(), p.offset(), p.offset() + p.length());
    }

    @Test
    @Tag("netns")
    void capturesExactlyTheMatchingFramesOnAVeth() throws Exception {
        Netns.assumeRoot();
        try (Netns rx = Netns.create("rx"); Netns tx = Netns.create("tx")) {
            Netns.veth(rx, "eth0", tx, "eth0");
            rx.exec("ip", "link", "set", "eth0", "address", RX_MAC);
            tx.exec("ip", "link", "set", "eth0", "address", TX_MAC);
            int rxIndex = Integer.parseInt(rx.exec("cat", "/sys/class/net/eth0/ifindex").stdout().trim());

            Source source = rx.call(() -> {
                Source s = create("interface", "eth0");
                s.open();
                return s;
            });
            assertEquals(LinkType.ETHERNET, ((PcapLiveSource) source).linkType());
            try (Running running = new Running(source); FrameSender sender = tx.call(() -> FrameSender.open("eth0"))) {
                byte[] v4 = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v4().mtu(1400).build());
                byte[] v6 = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v6().mtu(1280).build());
                byte[] tagged = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v4().mtu(1300).build(), Frames.dot1q(100));
                byte[] echo = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v4().type(8, 0).build());
                byte[] echo6 = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v6().type(128, 0).build());
                byte[] unreachable = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v4().type(3, 3).build());
                byte[] broadcast = Frames.ethernet(Frames.BROADCAST, TX_MAC, Ptb.v4().mtu(1000).build());
                byte[] last = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v6().mtu(1499).build());

                long before = epochNanos();
                // non-matching frames between matching ones; the last matching one proves the others were seen
                for (byte[] f : List.of(echo, v4, broadcast, echo6, v6, unreachable, tagged, last)) {
                    sender.send(f);
                }
                List<byte[]> expected = List.of(v4, v6, tagged, last);
                List<Packet> got = new ArrayList<>();
                for (int i = 0; i < expected.size(); i++) {
                    got.add(running.next());
                }
                long after = epochNanos();
                assertNull(running.received.poll(300, TimeUnit.MILLISECONDS), "nothing beyond the matching frames");

                for (int i = 0; i < expected.size(); i++) {
                    Packet p = got.get(i);
                    assertArrayEquals(expected.get(i), frameBytes(p), "frame " + i + " as sent");
                    assertEquals(LinkType.ETHERNET, p.linkType());
                    assertEquals("eth0", p.interfaceName());
                    assertEquals(rxIndex, p.interfaceIndex());
                    assertTrue(p.timestampNanos() >= before - 1_000_000_000L && p.timestampNanos() <= after + 1_000_000_000L,
                            "kernel capture time near the wall clock: " + p.timestampNanos());
                    assertTrue(p.isValid(), p.invalidReason());
                    assertEquals(Frames.macNumber(TX_MAC), p.sourceMac());
                    assertFalse(p.arrivedAsBroadcast());
                }
                assertEquals(1400, got.get(0).nextHopMtu());
                assertEquals(1280, got.get(1).nextHopMtu());
                assertEquals(1, got.get(2).vlanTags());
                assertEquals(100, got.get(2).vlanId());
                assertEquals(1499, got.get(3).nextHopMtu());
                for (int i = 1; i < got.size(); i++) {
                    assertTrue(got.get(i).timestampNanos() >= got.get(i - 1).timestampNanos(), "in order");
                }
                assertEquals(0, source.lost(), "no kernel drops for a handful of frames");
                running.stopPromptly();
                assertEquals(0, source.lost(), "lost() still answers after close()");
            }
        }
    }

    @Test
    @Tag("netns")
    void aWakeupBeforeRunBeginsStopsTheCaptureAtOnce() throws Exception {
        Netns.assumeRoot();
        try (Netns rx = Netns.create("rx")) {
            Source source = rx.call(() -> {
                Source s = create("interface", "lo");
                s.open();
                return s;
            });
            source.wakeup(); // libpcap's break-loop flag stays set until the loop begins and sees it
            try (SourceThread t = SourceThread.start(source, p -> { })) {
                assertTrue(t.awaitEnd(Duration.ofMillis(900)), "run() returned although woken before it began");
            }
        }
    }

    @Test
    @Tag("netns")
    void cookedCaptureOnAnyDropsTheEthernetClause() throws Exception {
        Netns.assumeRoot();
        try (Netns rx = Netns.create("rx"); Netns tx = Netns.create("tx")) {
            Netns.veth(rx, "eth0", tx, "eth0");
            rx.exec("ip", "link", "set", "eth0", "address", RX_MAC);
            Source source = rx.call(() -> {
                Source s = create("interface", "any", "snaplen", "1500", "buffer", "1MiB");
                s.open();
                return s;
            });
            PcapLiveSource live = (PcapLiveSource) source;
            assertTrue(live.linkType() == LinkType.LINUX_SLL || live.linkType() == LinkType.LINUX_SLL2, live.linkType().toString());
            assertFalse(live.filter().contains("ether"), live.filter());
            try (Running running = new Running(source); FrameSender sender = tx.call(() -> FrameSender.open("eth0"))) {
                byte[] l3 = Ptb.v4().mtu(1400).build();
                byte[] echo = Frames.ethernet(RX_MAC, TX_MAC, Ptb.v4().type(8, 0).build());
                byte[] bcast = Ptb.v6().mtu(1280).build();
                sender.send(echo);
                sender.send(Frames.ethernet(RX_MAC, TX_MAC, l3));
                sender.send(Frames.ethernet(Frames.BROADCAST, TX_MAC, bcast));

                Packet p = running.next();
                assertEquals(live.linkType(), p.linkType());
                assertTrue(p.isValid(), p.invalidReason());
                assertArrayEquals(l3, p.l3Bytes());
                assertEquals(Frames.macNumber(TX_MAC), p.sourceMac());
                assertFalse(p.arrivedAsBroadcast());

                // without an Ethernet header the filter cannot see broadcasts; the packet type tells the loop guard
                Packet b = running.next();
                assertArrayEquals(bcast, b.l3Bytes());
                assertTrue(b.arrivedAsBroadcast());
                running.stopPromptly();
            }
        }
    }

    @Test
    @Tag("netns")
    void badInterfaceIsAOneLineErrorAtOpen() throws Exception {
        Netns.assumeRoot();
        try (Netns rx = Netns.create("rx")) {
            IOException e = openFailsIn(rx, "interface", "nosuch0");
            assertTrue(e.getMessage().contains("'nosuch0' does not exist"), e.getMessage());
        }
    }

    @Test
    @Tag("netns")
    void downInterfaceIsAOneLineErrorAtOpen() throws Exception {
        Netns.assumeRoot();
        try (Netns rx = Netns.create("rx"); Netns tx = Netns.create("tx")) {
            Netns.veth(rx, "eth0", tx, "eth0");
            rx.exec("ip", "link", "set", "eth0", "down");
            IOException e = openFailsIn(rx, "interface", "eth0");
            assertTrue(e.getMessage().contains("'eth0' is down"), e.getMessage());
        }
    }

    @Test
    @Tag("netns")
    void badFilterIsAOneLineErrorAtOpen() throws Exception {
        Netns.assumeRoot();
        try (Netns rx = Netns.create("rx")) {
            IOException e = openFailsIn(rx, "interface", "lo", "filter", "icmp and frobnicate");
            assertTrue(e.getMessage().contains("icmp and frobnicate") && e.getMessage().contains("'filter'"), e.getMessage());
        }
    }

    @Test
    void permissionErrorsSayCapNetRaw() {
        String m = PcapLiveSource.openError("eth0", "socket: Operation not permitted", -8).getMessage();
        assertTrue(m.contains("CAP_NET_RAW") && m.contains("eth0"), m);
        assertFalse(m.contains("\n"));
        assertTrue(PcapLiveSource.openError("eth0", "eth0: You don't have permission to capture on that device", null)
                .getMessage().contains("CAP_NET_RAW"));
        assertTrue(PcapLiveSource.openError("eth0", "activate failed", -8).getMessage().contains("CAP_NET_RAW"));
        String other = PcapLiveSource.openError("eth0", "eth0: something else", -1).getMessage();
        assertFalse(other.contains("CAP_NET_RAW"), other);
        assertTrue(other.contains("something else"), other);
        assertTrue(PcapLiveSource.openError("eth9", "eth9: No such device exists", -5).getMessage().contains("'eth9' does not exist"));
        assertTrue(PcapLiveSource.openError("eth1", "eth1: That device is not up", -9).getMessage().contains("'eth1' is down"));
    }

    /** A JVM without any capability (still uid 0) is refused by the kernel; the message says why. */
    @Test
    @Tag("netns")
    void withoutCapNetRawTheErrorSaysSo() throws Exception {
        Netns.assumeRoot();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        dev.pmtud.testkit.Cmd.Result r = dev.pmtud.testkit.Cmd.exec(List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all",
                java, "-cp", System.getProperty("java.class.path"), OpenProbe.class.getName(), "lo"), 60);
        assertEquals(3, r.exitCode(), r.stdout() + r.stderr());
        String line = r.stdout().trim();
        assertTrue(line.startsWith("pcap source: capturing on 'lo' needs CAP_NET_RAW"), line);
        assertFalse(line.contains("\n"), line);
    }

    @Test
    void filterPerLinkType() {
        String d = PcapLiveSource.DEFAULT_FILTER;
        assertEquals("((icmp and icmp[0] == 3 and icmp[1] == 4) or (icmp6 and ip6[40] == 2 and ip6[41] == 0))"
                + " and not ether dst ff:ff:ff:ff:ff:ff", d);
        assertEquals("(" + d + ") or (vlan and (" + d + "))", PcapLiveSource.filterFor(LinkType.ETHERNET, null));
        assertEquals(PcapLiveSource.DEFAULT_FILTER_NO_ETHER, PcapLiveSource.filterFor(LinkType.LINUX_SLL, null));
        assertEquals(PcapLiveSource.DEFAULT_FILTER_NO_ETHER, PcapLiveSource.filterFor(LinkType.LINUX_SLL2, null));
        assertEquals(PcapLiveSource.DEFAULT_FILTER_NO_ETHER, PcapLiveSource.filterFor(LinkType.RAW, null));
        assertEquals("(icmp) or (vlan and (icmp))", PcapLiveSource.filterFor(LinkType.ETHERNET, "icmp"));
        assertEquals("vlan 5 and icmp", PcapLiveSource.filterFor(LinkType.ETHERNET, "vlan 5 and icmp"), "vlan-aware: verbatim");
        assertEquals("icmp", PcapLiveSource.filterFor(LinkType.LINUX_SLL, "icmp"));
    }

    @Test
    void factoryValidatesWithoutTouchingTheKernel() {
        PcapLiveSourceFactory f = new PcapLiveSourceFactory();
        assertEquals("pcap", f.type());
        assertEquals(java.util.Set.of("interface", "snaplen", "buffer", "filter", "promiscuous", "immediate"), f.keys());
        create("interface", "does-not-exist0").close(); // create() alone never looks at interfaces
        for (String[] bad : List.of(new String[] {"interface", "eth0", "snaplen", "10"},
                new String[] {"interface", "eth0", "buffer", "4 furlongs"},
                new String[] {"interface", "eth0", "promiscuous", "sometimes"},
                new String[] {"interface", "a-name-far-too-long-for-linux"},
                new String[] {"interface", "eth0", "filter", " "})) {
            ConfigException e = assertThrows(ConfigException.class, () -> create(bad), List.of(bad).toString());
            String key = bad[bad.length - 2];
            assertTrue(e.getMessage().startsWith(Cfg.FILE + ":") && e.getMessage().contains("'" + key + "'"), e.getMessage());
        }
        ConfigException missing = assertThrows(ConfigException.class, () -> create("snaplen", "2048"));
        assertTrue(missing.getMessage().contains("'interface' is required"), missing.getMessage());
    }
}
