package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LibraryPagesTest {

    private static List<String> mapping(String header, long rss, long anonymous, String flags) {
        return List.of(header, "Size:  4096 kB", "Rss:  " + rss + " kB", "Pss:  " + rss + " kB",
                "Anonymous:  " + anonymous + " kB", "FilePmdMapped:  2048 kB", "THPeligible:    0", "VmFlags: " + flags);
    }

    /**
     * Only never-writable file-backed mappings without a private page are chosen: a
     * relocated RELRO segment (read-only now, {@code ac}, anonymous pages) or a data segment would
     * lose its relocations to MADV_DONTNEED, which would crash the JVM.
     */
    @Test
    void choosesOnlyTheReadOnlyFilePagesOfTheLibrary() {
        List<String> smaps = new ArrayList<>();
        String jvm = "/opt/pmtud/runtime/lib/server/libjvm.so";
        smaps.addAll(mapping("7f0a67000000-7f0a67200000 r--p 00000000 fe:01 1234 " + jvm, 2048, 0, "rd mr mw me"));
        smaps.addAll(mapping("7f0a67200000-7f0a68000000 r-xp 00200000 fe:01 1234 " + jvm, 12000, 0, "rd ex mr mw me"));
        smaps.addAll(mapping("7f0a68000000-7f0a680b8000 r--p 01000000 fe:01 1234 " + jvm, 736, 724, "rd mr mw me ac"));
        smaps.addAll(mapping("7f0a680b8000-7f0a680eb000 rw-p 010b8000 fe:01 1234 " + jvm, 196, 180, "rd wr mr mw me ac"));
        smaps.addAll(mapping("7f0a680eb000-7f0a680ec000 r--p 010eb000 fe:01 1234 " + jvm, 4, 0, "rd mr mw me ac"));
        smaps.addAll(mapping("7f0a70000000-7f0a70100000 r-xp 00000000 fe:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6", 900, 0, "rd ex mr mw me"));
        smaps.addAll(mapping("7f0a71000000-7f0a71100000 rw-p 00000000 00:00 0 ", 1024, 1024, "rd wr mr mw me ac"));
        smaps.addAll(mapping("7f0a72000000-7f0a72400000 r--s 00000000 fe:01 77 /opt/pmtud/runtime/lib/modules", 1152, 0, "rd mr me ms sd"));
        smaps.addAll(mapping("7f0a73000000-7f0a73001000 rw-s 00000000 fe:01 78 /opt/pmtud/runtime/lib/modules", 4, 0, "rd wr sh mr mw me ms"));

        List<LibraryPages.Mapping> chosen = LibraryPages.select(smaps, p -> p.endsWith("/libjvm.so") || p.endsWith("/lib/modules"));

        assertEquals(List.of("7f0a67000000 r--p 2048", "7f0a67200000 r-xp 12000", "7f0a72000000 r--s 1152"),
                chosen.stream().map(m -> Long.toHexString(m.start()) + " " + m.perms() + " " + m.rssKib()).toList());
        assertEquals(0x7f0a68000000L - 0x7f0a67200000L, chosen.get(1).end() - chosen.get(1).start());
    }

    /**
     * On the real kernel: a file only this process maps, read through a read-only mapping, is
     * reclaimed (MADV_PAGEOUT), and reads back the same bytes afterwards (from the file). The JVM's
     * own libjvm.so is not a fair subject here: every other JVM of the build maps the same file, and
     * the kernel rightly leaves shared folios alone; the daemon's reclaim of it is measured by
     * scripts/bench-footprint.sh (docs/performance.md, section 7).
     */
    @Test
    void reclaimsAFileOnlyThisProcessMapsAndItsBytesStayTheSame() throws Exception {
        // In the module's directory, not java.io.tmpdir: a tmpfs /tmp holds shmem pages, which only swap could reclaim.
        Path file = Files.createTempFile(Path.of(System.getProperty("basedir", ".")), "pages-", ".bin");
        try {
            reclaimAndReadBack(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void reclaimAndReadBack(Path file) throws Exception {
        byte[] content = new byte[8 << 20];
        new Random(7).nextBytes(content);
        Files.write(file, content);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, content.length);
            long sum = 0;
            for (int i = 0; i < content.length; i += 4096) {
                sum += map.get(i);
            }
            String path = file.toRealPath().toString();
            LibraryPages.Released r = LibraryPages.release(p -> p.equals(path));

            assertEquals(1, r.mappings(), "the one read-only mapping of the file: " + r);
            assertTrue(r.residentKibBefore() >= 4096, "the file was resident before: " + r);
            assertTrue(r.residentKibAfter() < r.residentKibBefore() / 2, "most of it reclaimed: " + r);
            byte[] back = new byte[content.length];
            map.get(0, back);
            assertArrayEquals(content, back, "read back from the file");
            long again = 0;
            for (int i = 0; i < content.length; i += 4096) {
                again += map.get(i);
            }
            assertEquals(sum, again);
        }
    }
}
