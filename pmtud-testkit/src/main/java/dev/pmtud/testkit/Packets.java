package dev.pmtud.testkit;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;

/** Decoded packets from {@link Ptb} messages, for filter tests. */
public final class Packets {
    public static final long SECOND = 1_000_000_000L;
    /** A plausible capture time, so that tests do not depend on time zero being special. */
    public static final long T0 = 1_700_000_000L * SECOND;

    private Packets() {
    }

    public static Packet of(Ptb message, long timestampNanos) {
        return of(message.build(), timestampNanos);
    }

    public static Packet of(byte[] l3, long timestampNanos) {
        Packet p = new Packet().wrap(l3, 0, l3.length, LinkType.RAW, timestampNanos);
        if (!p.decode()) {
            throw new AssertionError("test input does not decode: " + p.invalidReason());
        }
        return p;
    }

    /**
     * Writes 10.x.y.z, the low 24 bits of {@code n}, into the outer IPv4 source field (bytes 12..15)
     * of {@code l3}: a distinct message source per {@code n}, without building a new message.
     */
    public static void setOuterSourceV4(byte[] l3, int n) {
        l3[12] = 10;
        l3[13] = (byte) (n >>> 16);
        l3[14] = (byte) (n >>> 8);
        l3[15] = (byte) n;
    }
}
