package dev.pmtud.it;

import static dev.pmtud.it.AdmissionRig.PEER;
import static dev.pmtud.it.AdmissionRig.ROUTER;
import static dev.pmtud.it.AdmissionRig.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.InvalidReason;
import dev.pmtud.api.Values;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Checksums;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.PmtuProbe;
import dev.pmtud.testkit.Ptb;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, items 7 and 3, on one node running {@code bin/pmtud} with the bundled default filter
 * chain ({@link AdmissionRig}): malformed messages are refused, each counted with its reason, and a
 * jumbo one is relayed cut to 576 bytes, which the peer's kernel accepts; then a paced forged flood
 * (scaled from the 50 000 msg/s from 10 000 sources to 5 000 msg/s from 1 000) does not
 * keep a router that sent before it from getting its messages relayed.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionE2eTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String CLIENT = "198.51.100.77";

    @TempDir
    static Path dir;
    private static AdmissionRig rig;

    @BeforeAll
    static void rig() throws Exception {
        Netns.assumeRoot();
        rig = new AdmissionRig(dir);
    }

    @AfterAll
    static void down() {
        if (rig != null) {
            rig.close();
        }
    }

    /** An IPv4 packet with the flags / fragment offset word {@code flags}, its header checksum right. */
    private static byte[] withFragmentWord(byte[] l3, int flags) {
        byte[] c = l3.clone();
        ByteBuffer b = ByteBuffer.wrap(c);
        b.putShort(6, (short) flags);
        b.putShort(10, (short) 0);
        b.putShort(10, (short) Checksums.internet(c, 0, 20));
        return c;
    }

    private static String key(byte[] l3) {
        return IcmpCapture.decodeIp(0, l3, 0, false).key();
    }

    /** The key of a captured packet, "" when it is no PMTU message. */
    private static String keyOrEmpty(byte[] ip) {
        IcmpCapture.Message m = IcmpCapture.decodeIp(0, ip, 0, false);
        return m == null ? "" : m.key();
    }

    @Test
    @Order(1)
    void malformedMessagesAreRefusedWithTheirReasonAndAJumboOneIsCutTo576() throws Exception {
        IcmpCapture capture = rig.capture("strict");
        try (PmtuProbe probe = rig.peer.call(() -> PmtuProbe.open(PEER, 5000, CLIENT, 6000))) {
            byte[] badChecksum4 = Ptb.v4().from(ROUTER).to(VIP).udp(VIP, 53, CLIENT, 40001).build();
            badChecksum4[badChecksum4.length - 1] ^= 0x40;
            byte[] firstFragment4 = withFragmentWord(Ptb.v4().from(ROUTER).to(VIP).udp(VIP, 53, CLIENT, 40002).build(), 0x2000);
            byte[] icmp6 = Ptb.v6().mtu(1400).udp("2001:db8:100::10", 53, "2001:db8:1::7", 40003).icmpMessage();
            byte[] firstFragment6 = Ptb.ipv6(Values.parseAddress("2001:db8:ff::1"), Values.parseAddress("2001:db8:100::10"), 44, 64,
                    new byte[] {58, 0, 0, 1, 0, 0, 0, 9}, icmp6);
            byte[] smallMtu6 = Ptb.v6().mtu(1279).build();
            byte[] badChecksum6 = Ptb.v6().mtu(1400).udp("2001:db8:100::10", 53, "2001:db8:1::7", 40004).build();
            badChecksum6[badChecksum6.length - 1] ^= 0x40;
            // a router that quoted a 9 000-byte packet the peer sent
            byte[] jumbo = Ptb.v4().from(ROUTER).to(VIP).mtu(1400).udp(PEER, 5000, CLIENT, 6000).size(9000).build();
            List<byte[]> refused = List.of(badChecksum4, firstFragment4, firstFragment6, smallMtu6, badChecksum6);
            for (byte[] m : refused) {
                rig.send(m);
            }
            rig.send(jumbo);

            Await.until(WAIT, "the peer's kernel to learn mtu 1400 from the relayed jumbo message", () -> probe.mtu() == 1400);
            Await.until(WAIT, "every malformed message counted", () -> rig.metrics().sum("pmtud_invalid_total") >= refused.size());
            assertEquals(2, rig.counter("pmtud_invalid_total", "reason", InvalidReason.BAD_ICMP_CHECKSUM), "bad checksums, v4 and v6");
            assertEquals(2, rig.counter("pmtud_invalid_total", "reason", InvalidReason.IP_FRAGMENT), "first fragments, v4 and v6");
            assertEquals(1, rig.counter("pmtud_invalid_total", "reason", InvalidReason.MTU_BELOW_IPV6_MINIMUM));
            assertEquals(refused.size(), rig.metrics().sum("pmtud_invalid_total"), "nothing else refused");

            List<byte[]> got = AdmissionRig.awaitReceived(capture, "the jumbo message at the peer's tcpdump", 1,
                    ip -> key(jumbo).equals(keyOrEmpty(ip)));
            Set<String> refusedKeys = new HashSet<>();
            for (byte[] m : List.of(badChecksum4, firstFragment4)) {
                refusedKeys.add(key(m));
            }
            List<byte[]> jumbos = new ArrayList<>();
            for (byte[] ip : got) {
                String k = keyOrEmpty(ip);
                assertTrue(!refusedKeys.contains(k), "a malformed message reached the peer: " + k);
                if (k.equals(key(jumbo))) {
                    jumbos.add(ip);
                }
            }
            assertEquals(1, jumbos.size(), "the jumbo message, once, at the peer (got " + got.size() + " messages)");
            byte[] copy = jumbos.get(0);
            assertEquals(576, copy.length, "an IPv4 ICMP error is at most 576 bytes (RFC 1812)");
            assertEquals(576, (copy[2] & 0xff) << 8 | (copy[3] & 0xff), "total length");
            assertTrue(Checksums.icmpChecksumValid(copy), "ICMP checksum of the cut message");
        } finally {
            capture.close();
        }
    }

    @Test
    @Order(2)
    void aRouterKnownBeforeAForgedFloodGetsNineOfTenRelayed() throws Exception {
        int rate = 5_000;
        int seconds = 10;
        Random random = new Random(12);
        int[] sources = new int[1_000];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = random.nextInt(1 << 24);
        }
        List<byte[]> flood = new ArrayList<>();
        for (int i = 0; i < rate * seconds + rate / 2; i++) {
            int s = sources[i % sources.length];
            String from = "10." + (s >>> 16) + "." + (s >>> 8 & 0xff) + "." + (s & 0xff);
            flood.add(rig.frame(Ptb.v4().from(from).to(VIP).mtu(1400).tcp(VIP, 443, CLIENT, 1024 + i % 60_000).build()));
        }
        // the router: three messages before the flood, then one a second during it, each about another flow
        List<byte[]> before = new ArrayList<>();
        List<byte[]> during = new ArrayList<>();
        for (int i = 0; i < 3 + seconds; i++) {
            (i < 3 ? before : during).add(Ptb.v4().from(ROUTER).to(VIP).mtu(1300).tcp(VIP, 443, CLIENT, 61000 + i).build());
        }
        IcmpCapture capture = rig.capture("flood");
        try {
            List<AdmissionRig.Timed> routerBefore = new ArrayList<>();
            for (int i = 0; i < before.size(); i++) {
                byte[] m = before.get(i);
                routerBefore.add(new AdmissionRig.Timed(i * 1_000_000_000L, () -> rig.send(m)));
            }
            rig.paced(List.of(), rate, routerBefore);
            double forwardedBefore = rig.metrics().sum("pmtud_forwarded_total");
            double barriersBefore = rig.counter("pmtud_invalid_total", "reason", InvalidReason.MTU_BELOW_IPV6_MINIMUM);
            List<AdmissionRig.Timed> routerDuring = new ArrayList<>();
            for (int i = 0; i < during.size(); i++) {
                byte[] m = during.get(i);
                routerDuring.add(new AdmissionRig.Timed(250_000_000L + i * 1_000_000_000L, () -> rig.send(m)));
            }
            long t0 = System.nanoTime();
            rig.paced(flood, rate, routerDuring);
            double floodSeconds = (System.nanoTime() - t0) / 1e9;
            // a barrier: NFLOG delivers in order, so once this invalid message is counted pmtud has
            // handled (or counted as lost) everything the flood put before it
            rig.send(Ptb.v6().mtu(1279).build());
            Await.until(WAIT, "pmtud to have handled the whole flood",
                    () -> rig.counter("pmtud_invalid_total", "reason", InvalidReason.MTU_BELOW_IPV6_MINIMUM) > barriersBefore);
            double forwarded = rig.metrics().sum("pmtud_forwarded_total") - forwardedBefore;

            Set<String> routerKeys = new HashSet<>();
            for (byte[] m : during) {
                routerKeys.add(key(m));
            }
            // every copy pmtud sent is in the peer's capture before it is counted
            List<byte[]> got = AdmissionRig.awaitReceived(capture, "the peer's tcpdump to record the " + (long) forwarded
                    + " copies pmtud sent during the flood", (int) forwarded, ip -> true);
            int relayed = 0;
            for (byte[] ip : got) {
                if (routerKeys.contains(keyOrEmpty(ip))) {
                    relayed++;
                }
            }
            String summary = "router " + relayed + " of " + during.size() + " relayed; flood of " + flood.size() + " in "
                    + String.format("%.1f", floodSeconds) + " s; forwarded " + (long) forwarded + "; rate-limit drops "
                    + rig.metrics().sum("pmtud_dropped_total", l -> "rate-limit".equals(l.get("filter"))) + "; lost "
                    + rig.metrics().sum("pmtud_source_lost_total");
            System.out.println("AdmissionE2eTest: " + summary);
            assertTrue(relayed >= 9, summary);
            // copies per peer stay within the total: 100/s over the flood plus the bucket it started with
            assertTrue(forwarded <= 100 * Math.ceil(floodSeconds + 1) + 100, "copies beyond the total budget: " + summary);
        } finally {
            capture.close();
        }
    }
}
