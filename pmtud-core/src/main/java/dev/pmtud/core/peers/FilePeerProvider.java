package dev.pmtud.core.peers;

import dev.pmtud.api.PeerListener;
import dev.pmtud.api.Values;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Peers listed in a file, one address per line; {@code #} starts a comment, blank lines are
 * ignored. The file is polled every {@code reload}: when its modification time, size or identity
 * (an editor's rename-into-place) changed it is read again. A file that cannot be read or holds a
 * bad line is reported through {@link PeerListener#refreshFailed} with {@code file:line}, and the
 * last good set stays in force.
 */
final class FilePeerProvider extends PollingPeerProvider {
    static final String UNREADABLE = "file-unreadable";
    static final String BAD_LINE = "bad-line";

    private final Path path;
    private final System.Logger log;
    private Stamp seen;

    /** What identifies one version of the file without reading it. */
    private record Stamp(Object fileKey, long modifiedNanos, long size) {
    }

    FilePeerProvider(Path path, Duration reload, System.Logger log) {
        super("pmtud-peers-file", reload, Duration.ofSeconds(2));
        this.path = path;
        this.log = log;
    }

    @Override
    protected void poll(PeerListener listener) {
        Stamp stamp;
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            stamp = new Stamp(a.fileKey(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
        } catch (NoSuchFileException e) {
            failOnce(listener, new Stamp(null, -1, -1), UNREADABLE, path + ": no such file; create it with one peer address per line");
            return;
        } catch (IOException e) {
            failOnce(listener, new Stamp(null, -2, -2), UNREADABLE, path + ": cannot read it: " + e.getMessage());
            return;
        }
        if (stamp.equals(seen)) {
            return;
        }
        seen = stamp;
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            listener.refreshFailed(UNREADABLE, path + ": cannot read it: " + e.getMessage());
            return;
        }
        Set<InetAddress> peers = new LinkedHashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (text.isEmpty()) {
                continue;
            }
            try {
                peers.add(Values.parseAddress(text));
            } catch (IllegalArgumentException e) {
                listener.refreshFailed(BAD_LINE, path + ":" + (i + 1) + ": " + e.getMessage()
                        + "; keeping the previous peers until the file is fixed");
                return;
            }
        }
        log.log(System.Logger.Level.DEBUG, "read {0}: {1} peers", path, peers.size());
        report(listener, peers);
    }

    /** Reports a failure once per state of the file, not on every poll. */
    private void failOnce(PeerListener listener, Stamp stamp, String reason, String detail) {
        if (!Objects.equals(stamp, seen)) {
            seen = stamp;
            listener.refreshFailed(reason, detail);
        }
    }

    @Override
    public String toString() {
        return "file " + path + " (reload " + period() + ")";
    }
}
