package dev.pmtud.it;

import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.FrameSender;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.PcapFile;
import dev.pmtud.testkit.PromText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * One pmtud node between a router and a peer, the daemon running the bundled default filter chain
 * (read from {@code examples/pmtud.yaml}) from the managed NFLOG rule to a raw l3 sink:
 * <pre>
 *   router (203.0.113.1, MTU 9000) ─ eth0 node (pmtud; VIP 192.0.2.10 on lo) eth1 ─ peer (198.51.100.2)
 * </pre>
 * The router namespace writes whole frames to the node (its own messages, and forged ones from any
 * source: private 10.0.0.0/8 addresses, which exist only inside these namespaces); a tcpdump on
 * the peer's eth0 ({@link #capture}) records what pmtud relayed.
 */
final class AdmissionRig implements AutoCloseable {
    static final String ROUTER = "203.0.113.1";
    static final String NODE_UPLINK = "203.0.113.2";
    static final String VIP = "192.0.2.10";
    static final String NODE = "198.51.100.1";
    static final String PEER = "198.51.100.2";
    static final String CLUSTER = "198.51.100.0/24";
    private static final int NODE_NUMBER = 7;

    final Netns router;
    final Netns node;
    final Netns peer;
    final FrameSender tx;
    final String nodeMac;
    final String routerMac;
    final PmtudDaemon daemon;
    private final Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    AdmissionRig(Path dir) throws Exception {
        this.dir = dir;
        try {
            router = add(Netns.create("router"));
            node = add(Netns.create("node"));
            peer = add(Netns.create("peer"));
            Netns.veth(router, "eth0", node, "eth0");
            Netns.veth(node, "eth1", peer, "eth0");
            for (Netns ns : List.of(router, node)) { // room for a router quoting a jumbo frame
                ns.exec("ip", "link", "set", "eth0", "mtu", "9000");
            }
            router.exec("ip", "addr", "add", ROUTER + "/24", "dev", "eth0");
            node.exec("ip", "addr", "add", NODE_UPLINK + "/24", "dev", "eth0");
            node.exec("ip", "addr", "add", VIP + "/32", "dev", "lo");
            node.exec("ip", "addr", "add", NODE + "/24", "dev", "eth1");
            peer.exec("ip", "addr", "add", PEER + "/24", "dev", "eth0");
            nodeMac = node.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
            routerMac = router.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
            tx = add(router.call(() -> FrameSender.open("eth0")));
            daemon = add(PmtudDaemon.start(node, NODE_NUMBER, config(), dir));
            daemon.awaitReady(Duration.ofSeconds(60));
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T add(T t) {
        opened.add(t);
        return t;
    }

    /** The filters of the bundled {@code examples/pmtud.yaml}, as written there. */
    static List<String> bundledFilters() throws IOException {
        List<String> lines = Files.readAllLines(RepoPaths.root().resolve("examples/pmtud.yaml"));
        List<String> filters = new ArrayList<>();
        boolean in = false;
        for (String l : lines) {
            if (l.startsWith("filters:")) {
                in = true;
            } else if (in && !l.startsWith(" ") && !l.isBlank()) {
                break;
            } else if (in && l.startsWith("  - ")) {
                filters.add(l);
            }
        }
        if (filters.isEmpty()) {
            throw new IllegalStateException("no filters in examples/pmtud.yaml");
        }
        return filters;
    }

    private static String config() throws IOException {
        List<String> y = new ArrayList<>(List.of(
                "node: node" + NODE_NUMBER,
                "metrics: { listen: \"127.0.0.1:" + PmtudDaemon.metricsPort(NODE_NUMBER) + "\" }",
                "cluster: { networks: [" + CLUSTER + "] }",
                "peers: [ { type: static, addresses: [" + PEER + "] } ]",
                "sources: [ { type: nflog, group: " + PmtudDaemon.NFLOG_GROUP + " } ]",
                "filters:"));
        y.addAll(bundledFilters());
        y.addAll(List.of(
                "sinks: [ { type: raw, mode: l3, interface: eth1 } ]",
                "rules: { manage: true, interface: eth0 }",
                ""));
        return String.join("\n", y);
    }

    /** Sends the IP packet {@code l3} from the router to the node, in one frame. */
    void send(byte[] l3) throws Exception {
        tx.send(Frames.ethernet(nodeMac, routerMac, l3));
    }

    /**
     * Sends {@code frames} paced at {@code perSecond}, starting now, and at {@code events[i].at} (ns
     * after the start) runs {@code events[i]}: the schedule is kept on average however late a
     * single send is. Returns when the last frame and event are done.
     */
    void paced(List<byte[]> frames, int perSecond, List<Timed> events) throws Exception {
        long start = System.nanoTime();
        int sent = 0;
        int next = 0;
        while (sent < frames.size() || next < events.size()) {
            long elapsed = System.nanoTime() - start;
            while (next < events.size() && events.get(next).at() <= elapsed) {
                events.get(next++).action().run();
            }
            long due = Math.min(frames.size(), elapsed * perSecond / 1_000_000_000L);
            while (sent < due) {
                tx.send(frames.get(sent++));
            }
            LockSupport.parkNanos(100_000); // pacing, not waiting for an event
        }
    }

    /** Something to do at {@code at} ns into a paced run. */
    record Timed(long at, Checked action) {
    }

    @FunctionalInterface
    interface Checked {
        void run() throws Exception;
    }

    /** The frame of {@code l3} as the router sends it. */
    byte[] frame(byte[] l3) {
        return Frames.ethernet(nodeMac, routerMac, l3);
    }

    /** The daemon's /metrics now (unchecked, for awaited conditions). */
    PromText metrics() {
        try {
            return daemon.metrics();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read node's /metrics: " + e, e);
        }
    }

    /** pmtud's counter {@code name} with {@code label=value}, summed over its other labels. */
    double counter(String name, String label, String value) {
        return metrics().sum(name, l -> value.equals(l.get(label)));
    }

    /** A tcpdump of the PMTU messages the peer receives, from now on. */
    IcmpCapture capture(String label) throws Exception {
        return new IcmpCapture(peer, "eth0", dir, label);
    }

    /**
     * Every IP packet {@code capture} recorded so far (Ethernet header removed), read while tcpdump
     * writes (it flushes each packet): a record still being written ends the list early.
     */
    static List<byte[]> received(IcmpCapture capture) {
        List<byte[]> out = new ArrayList<>();
        try {
            for (PcapFile.Record r : PcapFile.read(capture.file()).records()) {
                byte[] f = r.data();
                out.add(java.util.Arrays.copyOfRange(f, 14, f.length));
            }
        } catch (IOException e) {
            // the last record is half written: what came before it is all there is yet
        }
        return out;
    }

    /** Waits until {@code capture} has recorded {@code n} packets that {@code match}; returns everything it recorded. */
    static List<byte[]> awaitReceived(IcmpCapture capture, String what, int n, Predicate<byte[]> match) {
        Await.until(Duration.ofSeconds(15), what, () -> received(capture).stream().filter(match).count() >= n);
        return received(capture);
    }

    @Override
    public void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more; the namespaces go with their processes
            }
        }
    }
}
