package dev.pmtud.relay;

/**
 * Decides whether a datagram from a peer carries a packet to hand on, and where it is. With keys:
 * the signed format, checked in this order (cheap checks first, time only once the MAC proved the
 * timestamp genuine, the seen-set last so that only genuine datagrams take room in it): magic and
 * version, length, key id, the IP packet's own length, MAC, age, seen-set. Without keys: go-pmtud's
 * bare IP packet.
 *
 * <p>Allocation-free; one instance per receiving thread.
 */
final class Verifier {
    /** What {@link #check} returns for a datagram to hand on; anything else is a {@link Discards} reason. */
    static final int ACCEPTED = -1;

    private final RelayKeys keys;
    private final long maxAgeNanos;
    private final SeenSet seen;
    private final HmacSha256 hmac = new HmacSha256();
    private final byte[] mac = new byte[HmacSha256.LENGTH];
    private int packetOffset;
    private int packetLength;

    /** @param keys {@code null}: the bare format */
    Verifier(RelayKeys keys, long maxAgeNanos, SeenSet seen) {
        this.keys = keys;
        this.maxAgeNanos = maxAgeNanos;
        this.seen = seen;
    }

    /** Where the packet of the last accepted datagram starts in the buffer given to {@link #check}. */
    int packetOffset() {
        return packetOffset;
    }

    int packetLength() {
        return packetLength;
    }

    /**
     * Checks the datagram {@code b[off, off + len)} received at {@code nowNanos} (ns since the epoch).
     *
     * @return {@link #ACCEPTED} (then {@link #packetOffset()} and {@link #packetLength()} say where
     *         the IP packet is), or the {@link Discards} reason
     */
    int check(byte[] b, int off, int len, long nowNanos) {
        return keys == null ? checkBare(b, off, len) : checkSigned(b, off, len, nowNanos);
    }

    private int checkBare(byte[] b, int off, int len) {
        if (len >= 2 && b[off] == WireFormat.MAGIC_0 && b[off + 1] == WireFormat.MAGIC_1) {
            return Discards.SIGNED_WITHOUT_KEY;
        }
        if (WireFormat.truncatedIp(b, off, len)) {
            return Discards.TRUNCATED;
        }
        packetOffset = off;
        packetLength = len;
        return ACCEPTED;
    }

    private int checkSigned(byte[] b, int off, int len, long now) {
        if (len == 0) {
            return Discards.TRUNCATED;
        }
        if (b[off] != WireFormat.MAGIC_0 || len >= 2 && b[off + 1] != WireFormat.MAGIC_1
                || len >= 3 && b[off + 2] != WireFormat.VERSION) {
            return Discards.UNAUTHENTICATED;
        }
        if (len < WireFormat.OVERHEAD) {
            return Discards.TRUNCATED;
        }
        RelayKey key = keys.find(WireFormat.keyId(b, off));
        if (key == null) {
            return Discards.UNKNOWN_KEY;
        }
        int p = off + WireFormat.HEADER_LENGTH;
        int plen = len - WireFormat.OVERHEAD;
        if (WireFormat.truncatedIp(b, p, plen)) {
            return Discards.TRUNCATED;
        }
        int macAt = p + plen;
        hmac.compute(key, b, off, WireFormat.HEADER_LENGTH, b, p, plen, mac, 0);
        if (!HmacSha256.equal(mac, 0, b, macAt)) {
            return Discards.BAD_MAC;
        }
        long ts = WireFormat.timestamp(b, off);
        if (now - ts > maxAgeNanos) {
            return Discards.TOO_OLD;
        }
        if (ts - now > maxAgeNanos) {
            return Discards.FROM_THE_FUTURE;
        }
        // remembered while it could still pass the age check: until ts + max-age
        int r = seen.add(WireFormat.beLong(b, macAt), WireFormat.beLong(b, macAt + 8), ts + maxAgeNanos, now);
        if (r == SeenSet.SEEN) {
            return Discards.REPLAYED;
        }
        if (r == SeenSet.FULL) {
            return Discards.SEEN_SET_FULL;
        }
        packetOffset = p;
        packetLength = plen;
        return ACCEPTED;
    }
}
