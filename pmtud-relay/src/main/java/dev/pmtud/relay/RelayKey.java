package dev.pmtud.relay;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * One relay key, prepared for HMAC-SHA256: its id (the first 4 bytes of SHA-256 of the key, sent in
 * every datagram so that the receiver knows which key to check with) and the inner and outer pad
 * blocks of RFC 2104. The key bytes themselves are not kept, and never printed.
 */
final class RelayKey {
    /** SHA-256's block size: keys longer than this are hashed first (RFC 2104). */
    static final int BLOCK = 64;
    /** The shortest key accepted: as long as the hash, as RFC 2104 recommends. */
    static final int MIN_LENGTH = 32;

    private final int id;
    final byte[] innerPad = new byte[BLOCK];
    final byte[] outerPad = new byte[BLOCK];

    RelayKey(byte[] key) {
        if (key.length < MIN_LENGTH) {
            throw new IllegalArgumentException("a relay key has at least " + MIN_LENGTH + " bytes, not " + key.length);
        }
        byte[] digest = sha256(key);
        this.id = (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
        byte[] k = key.length > BLOCK ? digest : key;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ 0x36);
            outerPad[i] = (byte) (b ^ 0x5c);
        }
        Arrays.fill(digest, (byte) 0);
    }

    /** The key id: the first 4 bytes of SHA-256 of the key, big-endian. */
    int id() {
        return id;
    }

    /** The id as 8 hex digits, for logs: it says which key, never what it is. */
    String idText() {
        return String.format("%08x", id);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "relay key " + idText();
    }
}
