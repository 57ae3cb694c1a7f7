package dev.pmtud.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pmtud.testkit.Ptb;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every refusal of the codec, and what it accepts. */
class VerifierTest {
    private static final long NOW = 1_767_225_600_000_000_000L;
    private static final long MAX_AGE = 2_000_000_000L;
    private static final byte[] KEY = Relay.key(1);
    private static final byte[] V4 = Ptb.v4().build();
    private static final byte[] V6 = Ptb.v6().build();

    private static Verifier keyed() {
        return new Verifier(RelayKeys.of(KEY), MAX_AGE, new SeenSet(64));
    }

    private static String check(Verifier v, byte[] d, long now) {
        int r = v.check(d, 0, d.length, now);
        return r == Verifier.ACCEPTED ? "accepted" : Discards.REASONS.get(r);
    }

    @Test
    void genuineDatagramsOfBothFamiliesAreAcceptedAndPointAtThePacket() {
        Verifier v = keyed();
        for (byte[] p : List.of(V4, V6)) {
            byte[] d = Relay.signed(KEY, NOW - 1, p);
            assertEquals("accepted", check(v, d, NOW));
            assertEquals(16, v.packetOffset());
            assertEquals(p.length, v.packetLength());
        }
    }

    @Test
    void everyRefusalHasItsReason() {
        Verifier v = keyed();
        byte[] good = Relay.signed(KEY, NOW, V4);

        assertEquals("unauthenticated", check(v, V4, NOW), "a bare packet while a key is set");
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertEquals("unauthenticated", check(v, badMagic, NOW));
        byte[] badVersion = good.clone();
        badVersion[2] = 2;
        assertEquals("unauthenticated", check(v, badVersion, NOW));

        assertEquals("unknown-key", check(v, Relay.signed(Relay.key(9), NOW, V4), NOW), "signed with another key");

        byte[] altered = good.clone();
        altered[16 + 30] ^= 1; // inside the packet
        assertEquals("bad-mac", check(v, altered, NOW));
        byte[] badTag = good.clone();
        badTag[badTag.length - 1] ^= (byte) 0x80;
        assertEquals("bad-mac", check(v, badTag, NOW));
        byte[] otherTime = good.clone();
        otherTime[15] ^= 1; // the timestamp is covered by the MAC
        assertEquals("bad-mac", check(v, otherTime, NOW));

        assertEquals("too-old", check(v, Relay.signed(KEY, NOW - MAX_AGE - 1, V4), NOW));
        assertEquals("from-the-future", check(v, Relay.signed(KEY, NOW + MAX_AGE + 1, V4), NOW));
        assertEquals("accepted", check(v, Relay.signed(KEY, NOW - MAX_AGE, V4), NOW), "max-age itself is still accepted");
        assertEquals("accepted", check(v, Relay.signed(KEY, NOW + MAX_AGE, V4), NOW));

        assertEquals("accepted", check(v, good, NOW));
        assertEquals("replayed", check(v, good, NOW + 1));
        assertEquals("too-old", check(v, good, NOW + MAX_AGE + 1), "after max-age a replay is too old");

        assertEquals("truncated", check(v, new byte[0], NOW));
        assertEquals("truncated", check(v, Relay.cut(good, 1), NOW));
        assertEquals("truncated", check(v, Relay.cut(good, 47), NOW), "shorter than header and MAC");
        assertEquals("truncated", check(v, Relay.cut(good, good.length - 1), NOW), "the packet's own length says more");
        byte[] v6 = Relay.signed(KEY, NOW, V6);
        assertEquals("truncated", check(v, Relay.cut(v6, v6.length - 10), NOW));
    }

    @Test
    void aFullSeenSetRefusesRatherThanForgets() {
        Verifier v = new Verifier(RelayKeys.of(KEY), MAX_AGE, new SeenSet(2));
        byte[] a = Relay.signed(KEY, NOW, V4);
        byte[] b = Relay.signed(KEY, NOW + 1, V4);
        byte[] c = Relay.signed(KEY, NOW + 2, V4);
        assertEquals("accepted", check(v, a, NOW));
        assertEquals("accepted", check(v, b, NOW));
        assertEquals("seen-set-full", check(v, c, NOW));
        assertEquals("replayed", check(v, a, NOW), "still remembered");
        // once a's entry expired (ts + max-age), there is room again
        assertEquals("accepted", check(v, c, NOW + MAX_AGE + 1));
        assertEquals("too-old", check(v, a, NOW + MAX_AGE + 1));
    }

    @Test
    void withoutKeysTheBarePacketIsAcceptedAndSignedOnesAreNot() {
        Verifier v = new Verifier(null, 0, null);
        assertEquals("accepted", check(v, V4, NOW));
        assertEquals(0, v.packetOffset());
        assertEquals(V4.length, v.packetLength());
        assertEquals("accepted", check(v, V6, NOW));
        assertEquals("accepted", check(v, V4, NOW), "no seen-set: duplicates are the dedup filter's job");
        assertEquals("signed-without-key", check(v, Relay.signed(KEY, NOW, V4), NOW));
        assertEquals("truncated", check(v, Relay.cut(V4, V4.length - 1), NOW));
        assertEquals("truncated", check(v, Relay.cut(V6, 39), NOW));
        assertEquals("truncated", check(v, new byte[0], NOW));
        byte[] notIp = {0x11, 0x22, 0x33};
        assertEquals("accepted", check(v, notIp, NOW), "what is not IP is the decoder's to refuse (bad-ip-version)");
    }
}
