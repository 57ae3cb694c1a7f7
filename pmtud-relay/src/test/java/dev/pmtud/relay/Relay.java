package dev.pmtud.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;

/** Keys, key files and datagrams for the relay tests. */
final class Relay {
    private Relay() {
    }

    /** A 32-byte key whose bytes are {@code seed, seed + 1, ...}. */
    static byte[] key(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed + i);
        }
        return k;
    }

    /** A key file with these keys, one base64 line each, mode 0600 (unless {@code mode} says otherwise). */
    static Path keyFile(Path dir, String mode, byte[]... keys) throws Exception {
        StringBuilder sb = new StringBuilder("# relay keys: the first signs\n\n");
        for (byte[] k : keys) {
            sb.append(Base64.getEncoder().encodeToString(k)).append('\n');
        }
        Path f = Files.createTempFile(dir, "relay", ".key");
        Files.writeString(f, sb.toString());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    /** {@code packet} signed with {@code key} at {@code ts}: header, packet, MAC. */
    static byte[] signed(byte[] key, long ts, byte[] packet) {
        Signer s = new Signer(RelayKeys.of(key));
        s.sign(packet, 0, packet.length, ts);
        byte[] d = new byte[packet.length + WireFormat.OVERHEAD];
        System.arraycopy(s.header, 0, d, 0, 16);
        System.arraycopy(packet, 0, d, 16, packet.length);
        System.arraycopy(s.mac, 0, d, 16 + packet.length, 32);
        return d;
    }

    static byte[] cut(byte[] b, int length) {
        return Arrays.copyOf(b, length);
    }
}
