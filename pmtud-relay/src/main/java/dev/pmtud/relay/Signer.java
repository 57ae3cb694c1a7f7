package dev.pmtud.relay;

/**
 * Signs outgoing packets with the key file's first key: fills in the 16-byte header and the
 * 32-byte MAC around a packet that stays where it is. Timestamps are this node's wall clock in
 * nanoseconds, made strictly increasing so that two identical packets sent within one clock tick
 * still make two different datagrams (the receiver would refuse the second as a replay).
 *
 * <p>Allocation-free; used by the sending thread only.
 */
final class Signer {
    private final RelayKey key;
    private final HmacSha256 hmac = new HmacSha256();
    final byte[] header = new byte[WireFormat.HEADER_LENGTH];
    final byte[] mac = new byte[HmacSha256.LENGTH];
    private long last;

    Signer(RelayKeys keys) {
        this.key = keys.signing();
    }

    RelayKey key() {
        return key;
    }

    /** Fills {@link #header} and {@link #mac} for {@code packet[off, off + len)} sent at {@code nowNanos}. */
    void sign(byte[] packet, int off, int len, long nowNanos) {
        long ts = Math.max(nowNanos, last + 1);
        last = ts;
        WireFormat.writeHeader(header, 0, key.id(), ts);
        hmac.compute(key, header, 0, WireFormat.HEADER_LENGTH, packet, off, len, mac, 0);
    }
}
