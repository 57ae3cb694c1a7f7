package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pmtud keygen}: a fresh 32-byte key in base64, printed or written to a new 0600 file. */
class KeygenTest {
    @TempDir
    Path dir;

    /** The one line a key is, decoded; fails unless it is standard base64 of 32 bytes. */
    private static byte[] key(String text) {
        List<String> lines = text.lines().toList();
        assertEquals(1, lines.size(), "one line: " + text);
        byte[] key = Base64.getDecoder().decode(lines.get(0));
        assertEquals(32, key.length, lines.get(0));
        return key;
    }

    @Test
    void printsAFreshKeyEachTime() {
        CliRunner.Result first = CliRunner.run("keygen");
        CliRunner.Result second = CliRunner.run("keygen");
        assertEquals(Main.OK, first.status(), first.toString());
        assertEquals(Main.OK, second.status(), second.toString());
        assertNotEquals(Base64.getEncoder().encodeToString(key(first.out())), Base64.getEncoder().encodeToString(key(second.out())));
    }

    @Test
    void outputWritesANewFileReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("relay.key");
        CliRunner.Result r = CliRunner.run("keygen", "--output", file.toString());
        assertEquals(Main.OK, r.status(), r.toString());
        assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file));
        byte[] key = key(Files.readString(file));
        assertFalse(r.out().contains(Base64.getEncoder().encodeToString(key)) || r.err().contains(Base64.getEncoder().encodeToString(key)),
                "the key is written, never shown: " + r);
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("relay.key");
        Files.writeString(file, "the key in use\n");
        CliRunner.Result r = CliRunner.run("keygen", "--output", file.toString());
        assertEquals(Main.FAILED, r.status(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertTrue(r.err().startsWith("pmtud: " + file + " exists; keygen never overwrites a key"), r.toString());
        assertEquals("the key in use\n", Files.readString(file));
        assertEquals("", r.out());
    }
}
