package dev.pmtud.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The keys of a relay key file: one base64 key per line (at least 32 bytes decoded; blank lines and
 * {@code #} comments allowed). The first signs, every one verifies, so keys rotate without a flag
 * day: add the new key as a second line everywhere, then move it first, then drop the old one.
 *
 * <p>The file is refused when group or others may read or write it. Errors name the file and line
 * and never show key material.
 */
final class RelayKeys {
    private static final Set<PosixFilePermission> NOT_FOR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private final RelayKey[] keys;

    private RelayKeys(List<RelayKey> keys) {
        this.keys = keys.toArray(new RelayKey[0]);
    }

    /** Keys given directly, the first signing (tests, tools). */
    static RelayKeys of(byte[]... keys) {
        List<RelayKey> list = new ArrayList<>();
        for (byte[] k : keys) {
            list.add(new RelayKey(k));
        }
        return new RelayKeys(list);
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws IOException with one line: unreadable, open to group or others, a bad line (file:line), no key
     */
    static RelayKeys load(Path file) throws IOException {
        String name = file.toString();
        Set<PosixFilePermission> permissions;
        List<String> lines;
        try {
            permissions = Files.getPosixFilePermissions(file);
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IOException("relay key file " + name + " does not exist; create one with `pmtud keygen > " + name
                    + "` and `chmod 600 " + name + "`, and give every node the same file");
        } catch (IOException e) {
            throw new IOException("cannot read relay key file " + name + ": " + e.getMessage());
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(NOT_FOR_OTHERS);
        open.retainAll(permissions);
        if (!open.isEmpty()) {
            throw new IOException("relay key file " + name + " is " + describe(open) + " (mode " + mode(permissions)
                    + "); a key others can read is no secret: run chmod 600 " + name);
        }
        List<RelayKey> keys = new ArrayList<>();
        List<Integer> keyLines = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            int lineNo = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(line);
            } catch (IllegalArgumentException e) {
                throw new IOException(name + ":" + lineNo + ": not a base64 key (the line is not shown: it may be secret); "
                        + "each line holds one key as `pmtud keygen` prints it, or a # comment");
            }
            try {
                if (key.length < RelayKey.MIN_LENGTH) {
                    throw new IOException(name + ":" + lineNo + ": the key has " + key.length + " bytes; at least "
                            + RelayKey.MIN_LENGTH + " are needed (`pmtud keygen` prints a 32-byte key)");
                }
                RelayKey k = new RelayKey(key);
                for (int j = 0; j < keys.size(); j++) {
                    if (keys.get(j).id() == k.id()) {
                        throw new IOException(name + ":" + lineNo + ": the same key as line " + keyLines.get(j)
                                + " (key id " + k.idText() + "); list each key once");
                    }
                }
                keys.add(k);
                keyLines.add(lineNo);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        }
        if (keys.isEmpty()) {
            throw new IOException("relay key file " + name + " holds no key; put one base64 key per line (`pmtud keygen > "
                    + name + "`)");
        }
        return new RelayKeys(keys);
    }

    private static String describe(Set<PosixFilePermission> open) {
        List<String> who = new ArrayList<>();
        if (open.contains(PosixFilePermission.GROUP_READ) || open.contains(PosixFilePermission.GROUP_WRITE)) {
            who.add("group");
        }
        if (open.contains(PosixFilePermission.OTHERS_READ) || open.contains(PosixFilePermission.OTHERS_WRITE)) {
            who.add("others");
        }
        boolean write = open.contains(PosixFilePermission.GROUP_WRITE) || open.contains(PosixFilePermission.OTHERS_WRITE);
        boolean read = open.contains(PosixFilePermission.GROUP_READ) || open.contains(PosixFilePermission.OTHERS_READ);
        return (read && write ? "readable and writable" : read ? "readable" : "writable") + " by " + String.join(" and ", who);
    }

    /** {@code 0644} style. */
    private static String mode(Set<PosixFilePermission> p) {
        int m = 0;
        for (PosixFilePermission x : p) {
            m |= 1 << (8 - x.ordinal()); // OWNER_READ is ordinal 0 (0400) ... OTHERS_EXECUTE 8 (0001)
        }
        return String.format("%04o", m);
    }

    /** The key that signs: the file's first. */
    RelayKey signing() {
        return keys[0];
    }

    /** The key with this id, or {@code null}. Allocation-free. */
    RelayKey find(int id) {
        for (RelayKey k : keys) {
            if (k.id() == id) {
                return k;
            }
        }
        return null;
    }

    int size() {
        return keys.length;
    }

    /** The key ids, for the start-up log line. */
    List<String> ids() {
        List<String> out = new ArrayList<>();
        for (RelayKey k : keys) {
            out.add(k.idText());
        }
        return out;
    }
}
