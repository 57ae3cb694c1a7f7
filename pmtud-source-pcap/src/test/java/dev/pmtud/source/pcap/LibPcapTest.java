package dev.pmtud.source.pcap;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibPcapTest {
    @TempDir
    Path tmp;

    @Test
    void prefersTheUnversionedLinkThenTheSonames() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.write(b.resolve("libpcap.so.0.8"), new byte[] {1});
        List<String> dirs = List.of(a.toString(), b.toString());
        assertEquals(Optional.of(b.resolve("libpcap.so.0.8")), LibPcap.find(dirs, () -> null));
        Files.write(a.resolve("libpcap.so.1"), new byte[] {1});
        assertEquals(Optional.of(a.resolve("libpcap.so.1")), LibPcap.find(dirs, () -> null));
        Files.write(b.resolve("libpcap.so"), new byte[] {1});
        assertEquals(Optional.of(b.resolve("libpcap.so")), LibPcap.find(dirs, () -> null));
    }

    @Test
    void danglingLinksDoNotCount() throws Exception {
        Files.createSymbolicLink(tmp.resolve("libpcap.so"), tmp.resolve("libpcap.so.9.9-gone"));
        assertEquals(Optional.empty(), LibPcap.find(List.of(tmp.toString()), () -> ""));
    }

    @Test
    void fallsBackToTheLinkerCache() throws Exception {
        Path lib = Files.write(tmp.resolve("libpcap.so.0.8"), new byte[] {1});
        String cache = "1234 libs found in cache `/etc/ld.so.cache'\n"
                + "\tlibpcre2-8.so.0 (libc6,x86-64) => /nonexistent/libpcre2-8.so.0\n"
                + "\tlibpcap.so.0.8 (libc6,x86-64) => " + lib + "\n";
        assertEquals(Optional.of(lib), LibPcap.find(List.of(tmp.resolve("empty").toString()), () -> cache));
        String stale = "\tlibpcap.so.0.8 (libc6,x86-64) => " + tmp.resolve("gone.so") + "\n";
        assertEquals(Optional.empty(), LibPcap.find(List.of(), () -> stale));
    }

    @Test
    void notFoundMessageSaysHowToInstall() {
        assertEquals("libpcap not found: install it with `apt-get install libpcap0.8` (Debian/Ubuntu)", LibPcap.NOT_FOUND);
        assertFalse(LibPcap.NOT_FOUND.contains("\n"));
    }

    @Test
    void setsThePropertyToARealFileAndRespectsAUsersChoice() throws Exception {
        String before = System.getProperty(LibPcap.PROPERTY);
        try {
            System.clearProperty(LibPcap.PROPERTY);
            LibPcap.ensureLoadable(); // this machine has libpcap: the pcap tests below need it anyway
            Path chosen = Path.of(System.getProperty(LibPcap.PROPERTY));
            assertTrue(chosen.isAbsolute(), chosen.toString());
            assertTrue(Files.isRegularFile(chosen), chosen.toString());
            assertTrue(chosen.getFileName().toString().startsWith("libpcap.so"), chosen.toString());

            System.setProperty(LibPcap.PROPERTY, "/opt/custom/libpcap.so.1");
            LibPcap.ensureLoadable();
            assertEquals("/opt/custom/libpcap.so.1", System.getProperty(LibPcap.PROPERTY));
        } finally {
            if (before == null) {
                System.clearProperty(LibPcap.PROPERTY);
            } else {
                System.setProperty(LibPcap.PROPERTY, before);
            }
            LibPcap.ensureLoadable();
        }
    }
}
