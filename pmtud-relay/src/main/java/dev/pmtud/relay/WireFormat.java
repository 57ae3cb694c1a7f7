package dev.pmtud.relay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The relay datagram (docs/relay.md has the full description and a test vector):
 * <pre>
 *   0  'P' 'M'        magic: the first nibble is 5, never an IP version (4, 6), so a signed datagram
 *                     and go-pmtud's bare IP packet cannot be mistaken for each other
 *   2  version        1
 *   3  reserved       sent as 0; covered by the MAC, not interpreted
 *   4  key id         the first 4 bytes of SHA-256(key)
 *   8  timestamp      u64 big-endian, nanoseconds since the Unix epoch on the sender's clock
 *   16 IP packet      the message as captured, outer header unchanged
 *   .. MAC            HMAC-SHA256(key, bytes 0 .. end of the IP packet), 32 bytes
 * </pre>
 * Without a key the datagram is the bare IP packet (go-pmtud's format).
 */
final class WireFormat {
    private WireFormat() {
    }

    static final byte MAGIC_0 = 'P';
    static final byte MAGIC_1 = 'M';
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 16;
    static final int MAC_LENGTH = 32;
    /** Header and MAC around the packet. */
    static final int OVERHEAD = HEADER_LENGTH + MAC_LENGTH;
    static final int KEY_ID_OFFSET = 4;
    static final int TIMESTAMP_OFFSET = 8;
    /** The UDP port of the relay: go-pmtud's. */
    static final int DEFAULT_PORT = 4390;
    /** The largest IP packet a relay datagram carries (an IPv4 total length field's limit). */
    static final int MAX_PACKET = 65535;

    private static final VarHandle BE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** The clock timestamps are taken from and judged by: ns since the epoch (ms resolution; no allocation). */
    static long wallClockNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    /** Writes the 16-byte header at {@code b[off]}. */
    static void writeHeader(byte[] b, int off, int keyId, long timestampNanos) {
        b[off] = MAGIC_0;
        b[off + 1] = MAGIC_1;
        b[off + 2] = VERSION;
        b[off + 3] = 0;
        BE_INT.set(b, off + KEY_ID_OFFSET, keyId);
        BE_LONG.set(b, off + TIMESTAMP_OFFSET, timestampNanos);
    }

    static int keyId(byte[] b, int headerOff) {
        return (int) BE_INT.get(b, headerOff + KEY_ID_OFFSET);
    }

    static long timestamp(byte[] b, int headerOff) {
        return (long) BE_LONG.get(b, headerOff + TIMESTAMP_OFFSET);
    }

    /** A big-endian long at any offset (the seen-set reads the MAC with it). */
    static long beLong(byte[] b, int off) {
        return (long) BE_LONG.get(b, off);
    }

    /**
     * Whether the IP packet in {@code b[off, off + len)} is shorter than its own header says: an
     * IPv4 total length or IPv6 40 + payload length beyond the bytes there, or fewer bytes than the
     * fixed header. What is not IPv4 or IPv6 at all is left to the decoder (which counts it invalid).
     */
    static boolean truncatedIp(byte[] b, int off, int len) {
        if (len <= 0) {
            return true;
        }
        int version = (b[off] & 0xff) >>> 4;
        if (version == 4) {
            return len < 20 || ((b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff)) > len;
        }
        if (version == 6) {
            return len < 40 || 40 + ((b[off + 4] & 0xff) << 8 | (b[off + 5] & 0xff)) > len;
        }
        return false;
    }
}
