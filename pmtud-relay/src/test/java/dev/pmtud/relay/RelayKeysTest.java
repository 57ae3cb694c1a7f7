package dev.pmtud.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Ptb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayKeysTest {
    private static final long NOW = 1_767_225_600_000_000_000L;
    private static final long MAX_AGE = 5_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void theFirstKeySignsAndEveryKeyVerifies() throws Exception {
        byte[] key1 = Relay.key(1);
        byte[] key2 = Relay.key(2);
        RelayKeys keys = RelayKeys.load(Relay.keyFile(dir, "rw-------", key1, key2));
        assertEquals(2, keys.size());
        assertEquals(new RelayKey(key1).id(), keys.signing().id(), "the first line signs");
        // rotation: a peer that already signs with key 2 is understood by a file whose first key is key 1
        byte[] packet = Ptb.v4().build();
        Verifier v = new Verifier(keys, MAX_AGE, new SeenSet(8));
        byte[] fromRotatedPeer = Relay.signed(key2, NOW, packet);
        assertEquals(Verifier.ACCEPTED, v.check(fromRotatedPeer, 0, fromRotatedPeer.length, NOW));
        byte[] fromOldPeer = Relay.signed(key1, NOW + 1, packet);
        assertEquals(Verifier.ACCEPTED, v.check(fromOldPeer, 0, fromOldPeer.length, NOW));
        assertNotNull(keys.find(new RelayKey(key2).id()));
        assertNull(keys.find(new RelayKey(Relay.key(3)).id()));
    }

    @Test
    void readableByOthersIsRefusedWithTheFix() throws Exception {
        Path f = Relay.keyFile(dir, "rw-r--r--", Relay.key(1));
        IOException e = assertThrows(IOException.class, () -> RelayKeys.load(f));
        assertEquals("relay key file " + f + " is readable by group and others (mode 0644); a key others can read is "
                + "no secret: run chmod 600 " + f, e.getMessage());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw--w----"));
        e = assertThrows(IOException.class, () -> RelayKeys.load(f));
        assertTrue(e.getMessage().contains("is writable by group (mode 0620)"), e.getMessage());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
        assertEquals(1, RelayKeys.load(f).size(), "0400 is fine");
    }

    @Test
    void badLinesNameFileAndLineButNeverTheKey() throws Exception {
        String secretish = "c2VjcmV0LXNlY3JldC1zZWNyZXQ*not-base64";
        Path f = write("# comment\n\n" + Base64.getEncoder().encodeToString(Relay.key(1)) + "\n" + secretish + "\n");
        IOException e = assertThrows(IOException.class, () -> RelayKeys.load(f));
        assertTrue(e.getMessage().startsWith(f + ":4: not a base64 key"), e.getMessage());
        assertFalse(e.getMessage().contains(secretish), "the line is not printed: " + e.getMessage());

        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        Path g = write(shortKey + "\n");
        e = assertThrows(IOException.class, () -> RelayKeys.load(g));
        assertEquals(g + ":1: the key has 16 bytes; at least 32 are needed (`pmtud keygen` prints a 32-byte key)", e.getMessage());
        assertFalse(e.getMessage().contains(shortKey));

        String k = Base64.getEncoder().encodeToString(Relay.key(5));
        Path h = write(k + "\n# again\n" + k + "\n");
        e = assertThrows(IOException.class, () -> RelayKeys.load(h));
        assertTrue(e.getMessage().startsWith(h + ":3: the same key as line 1 (key id "), e.getMessage());
        assertFalse(e.getMessage().contains(k));
    }

    @Test
    void anEmptyOrMissingFileIsRefused() throws Exception {
        Path empty = write("# nothing yet\n\n");
        IOException e = assertThrows(IOException.class, () -> RelayKeys.load(empty));
        assertTrue(e.getMessage().startsWith("relay key file " + empty + " holds no key"), e.getMessage());
        Path missing = dir.resolve("absent.key");
        e = assertThrows(IOException.class, () -> RelayKeys.load(missing));
        assertTrue(e.getMessage().startsWith("relay key file " + missing + " does not exist; create one with `pmtud keygen"),
                e.getMessage());
    }

    @Test
    void longKeysAreAccepted() throws Exception {
        byte[] longKey = new byte[100];
        longKey[99] = 1;
        RelayKeys keys = RelayKeys.load(write(Base64.getEncoder().encodeToString(longKey) + "\n"));
        byte[] d = Relay.signed(longKey, NOW, Ptb.v6().build());
        assertEquals(Verifier.ACCEPTED, new Verifier(keys, MAX_AGE, new SeenSet(2)).check(d, 0, d.length, NOW));
    }

    private Path write(String text) throws IOException {
        Path f = Files.createTempFile(dir, "k", ".key");
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }
}
