package dev.pmtud.source.nflog;

import dev.pmtud.api.PacketHandler;

/**
 * Benchmark-only access to what the NFLOG source does with one received kernel batch (a datagram):
 * split it into messages, count sequence gaps and discards, and map each message onto the reused
 * {@code Packet}. Lives in the source's package because that step is not public API.
 */
public final class NflogDatagramBridge {
    private final NflogSource source = new NflogSource(NflogSettings.defaults(7), "bench", System.getLogger("bench"));

    /** Hands every packet message of the datagram {@code b[off, off + len)} to {@code handler}. */
    public void handle(byte[] b, int off, int len, long nowNanos, PacketHandler handler) {
        source.handleDatagram(b, off, len, nowNanos, handler);
    }

    public long received() {
        return source.received();
    }

    public long lost() {
        return source.lost();
    }
}
