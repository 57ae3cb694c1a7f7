package dev.pmtud.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import jnr.ffi.Pointer;

/**
 * Gives back the resident pages of the JVM's read-only file mappings ({@code libjvm.so}, the
 * runtime's {@code lib/modules}), so that what the process goes on using comes back a page at a time.
 *
 * <p>Why: on kernels whose page cache holds files in large folios (ext4 on Linux 6.x among them;
 * a file written by jlink or unpacked from an image layer gets them from the write), the kernel maps
 * a whole folio of up to 2 MiB into the process at the first touch of any page in it. The JVM uses a
 * fraction of {@code libjvm.so}'s 14 MiB of text once running, yet nearly all of it counted as the
 * daemon's resident memory (17 of 18 MiB, {@code FilePmdMapped: 14336 kB}). Dropping the mappings
 * alone ({@code MADV_DONTNEED}) does not last: the next touch of any page maps its whole folio
 * again, and the JVM's own threads touch most folios within milliseconds.
 *
 * <p>So: {@code prctl(PR_SET_THP_DISABLE)} (no PMD mappings of file folios from now on), then per
 * chosen mapping {@code madvise(MADV_RANDOM)} (a fault reads the one page it needs, no readahead,
 * into a page-sized folio) and {@code madvise(MADV_PAGEOUT)}: the kernel reclaims the folios only
 * this process maps, unmapping and evicting each under its lock, so no thread can map it again
 * half-way. What the JVM touches afterwards is read back page by page: a few hundred reads of 4 KiB,
 * once, on code paths first run after start-up. Folios another process maps (a second pmtud during a
 * rolling update) are left alone.
 *
 * <p>Safety: both advices keep the data (a reclaimed page is read back from the file). Only mappings
 * that were never writable ({@code VmFlags} without {@code wr} or {@code ac}: not even a relocated
 * RELRO segment) and hold no anonymous page are chosen, so every page is the file's own.
 * PR_SET_THP_DISABLE also keeps transparent huge pages off the JVM's heap, which this small-heap
 * daemon does not want anyway.
 */
public final class LibraryPages {
    static final int PR_SET_THP_DISABLE = 41;
    static final int MADV_RANDOM = 1;
    static final int MADV_PAGEOUT = 21;

    private LibraryPages() {
    }

    /** What {@link #release} did: mappings advised, and their resident KiB before and right after. */
    public record Released(int mappings, long residentKibBefore, long residentKibAfter) {
        public long kibGivenBack() {
            return Math.max(0, residentKibBefore - residentKibAfter);
        }
    }

    /** One mapping of {@code /proc/self/smaps}. */
    record Mapping(long start, long end, String perms, String path, long rssKib, long anonymousKib, List<String> flags) {
        /** A file mapping that was never writable and has no private page: every resident page is the file's own. */
        boolean readOnlyFilePages() {
            return path.startsWith("/") && perms.charAt(0) == 'r' && perms.charAt(1) == '-'
                    && anonymousKib == 0 && !flags.isEmpty() && !flags.contains("wr") && !flags.contains("ac");
        }
    }

    /**
     * Disables PMD mappings of file folios for this process and reclaims the resident pages of the
     * read-only mappings of every file whose path {@code files} accepts.
     *
     * @throws NativeException when the kernel refuses prctl (then nothing is advised: the pages would
     *                         come back whole) or madvise (a kernel before 5.4 has no MADV_PAGEOUT)
     */
    public static Released release(Predicate<String> files) throws IOException {
        Sys.check(Sys.LIBC.prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), "prctl(PR_SET_THP_DISABLE)");
        Path smaps = Path.of("/proc/self/smaps");
        List<Mapping> chosen = select(Files.readAllLines(smaps), files);
        long before = 0;
        for (Mapping m : chosen) {
            before += m.rssKib();
            Pointer start = Pointer.wrap(Sys.RUNTIME, m.start());
            Sys.check(Sys.LIBC.madvise(start, m.end() - m.start(), MADV_RANDOM), "madvise(" + m.path() + ", MADV_RANDOM)");
            Sys.check(Sys.LIBC.madvise(start, m.end() - m.start(), MADV_PAGEOUT), "madvise(" + m.path() + ", MADV_PAGEOUT)");
        }
        long after = 0;
        for (Mapping m : select(Files.readAllLines(smaps), files)) {
            after += m.rssKib();
        }
        return new Released(chosen.size(), before, after);
    }

    /** The read-only file mappings of {@code smaps} whose path {@code library} accepts. */
    static List<Mapping> select(List<String> smaps, Predicate<String> library) {
        List<Mapping> out = new ArrayList<>();
        long start = 0;
        long end = 0;
        String perms = null;
        String path = "";
        long rss = 0;
        long anonymous = -1;
        for (String line : smaps) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.indexOf(' ') > colon) { // "Field:   value kB"
                String field = line.substring(0, colon);
                String value = line.substring(colon + 1).trim();
                switch (field) {
                    case "Rss" -> rss = kib(value);
                    case "Anonymous" -> anonymous = kib(value);
                    case "VmFlags" -> {
                        Mapping m = new Mapping(start, end, perms, path, rss, anonymous, List.of(value.split("\\s+")));
                        if (perms != null && anonymous >= 0 && library.test(path) && m.readOnlyFilePages()) {
                            out.add(m);
                        }
                        perms = null;
                    }
                    default -> { }
                }
            } else if (!line.isEmpty()) { // "start-end perms offset dev inode [path]"
                String[] f = line.trim().split("\\s+", 6);
                int dash = f[0].indexOf('-');
                start = Long.parseUnsignedLong(f[0], 0, dash, 16);
                end = Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16);
                perms = f[1];
                path = f.length == 6 ? f[5] : "";
                rss = 0;
                anonymous = -1;
            }
        }
        return out;
    }

    private static long kib(String value) {
        int space = value.indexOf(' ');
        return Long.parseLong(space < 0 ? value : value.substring(0, space));
    }
}
