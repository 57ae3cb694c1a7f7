package dev.pmtud.app.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code pmtud run --watch-config}: tells the daemon when its configuration file's contents changed,
 * once the directory has been quiet for a moment (editors and Kubernetes write in several steps).
 *
 * <p>It watches the directory that holds the file as named (inotify, through a {@link WatchService})
 * and the one that holds what the name resolves to, so that a file replaced by a rename, a symbolic
 * link pointed elsewhere, and a Kubernetes ConfigMap update (whose {@code ..data} link is swapped to
 * a new timestamped directory: {@code pmtud.yaml -> ..data/pmtud.yaml}) are all seen. Any event there
 * starts the quiet period; at its end the file is read and its digest compared with the last one, so
 * that only a real change of contents asks for a reload. The file is also compared every
 * {@value #CHECK_SECONDS} s in case an event was missed (a directory replaced, a file system without
 * inotify). While the file is missing (between a delete and a create) nothing is asked.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.Daemon");
    /** The quiet period: how long after the last event the file is compared. */
    public static final Duration DEBOUNCE = Duration.ofMillis(500);
    static final int CHECK_SECONDS = 5;

    private final Path file;
    private final Duration debounce;
    private final Runnable changed;
    private final WatchService watch;
    private final Map<Path, WatchKey> watched = new HashMap<>();
    private final Thread thread;
    private byte[] digest;

    /**
     * Takes the file's digest now (create it before the file is read for the first time: a change
     * after that is then seen); {@link #start()} begins watching.
     *
     * @param changed called on the watcher's thread after the contents changed
     */
    public ConfigWatcher(Path file, Duration debounce, Runnable changed) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.debounce = debounce;
        this.changed = changed;
        this.digest = digest();
        this.watch = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::run, "pmtud-config-watch");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            watchDirectories();
            long quietUntil = -1;
            long nextCheck = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHECK_SECONDS);
            while (true) {
                long now = System.nanoTime();
                long wait = Math.min(quietUntil >= 0 ? quietUntil - now : Long.MAX_VALUE, nextCheck - now);
                WatchKey key = watch.poll(Math.max(1, wait), TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents(); // which entry changed matters not: the contents decide
                    if (!key.reset()) {
                        watched.values().remove(key);
                    }
                    quietUntil = System.nanoTime() + debounce.toNanos();
                    continue;
                }
                now = System.nanoTime();
                if ((quietUntil >= 0 && now >= quietUntil) || now >= nextCheck) {
                    quietUntil = -1;
                    nextCheck = now + TimeUnit.SECONDS.toNanos(CHECK_SECONDS);
                    compare();
                    watchDirectories();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the daemon stops
        }
    }

    /** Asks for a reload when the file is there and its contents differ from the last ones seen. */
    private void compare() {
        byte[] now = digest();
        if (now != null && !Arrays.equals(now, digest)) {
            digest = now;
            LOG.log(System.Logger.Level.INFO, "the configuration file " + file + " changed");
            changed.run();
        }
    }

    /** The directory of the file as named, and of what it resolves to now (a link may point elsewhere). */
    private void watchDirectories() {
        watchDirectory(file.getParent());
        try {
            watchDirectory(file.toRealPath().getParent());
        } catch (IOException e) {
            // missing for a moment: the named directory's events bring us back
        }
        watched.entrySet().removeIf(e -> !e.getValue().isValid());
    }

    private void watchDirectory(Path dir) {
        if (dir == null || (watched.containsKey(dir) && watched.get(dir).isValid())) {
            return;
        }
        try {
            watched.put(dir, dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch " + dir + " for configuration changes (" + e.getMessage()
                    + "); comparing the file every " + CHECK_SECONDS + " s instead");
        }
    }

    /** SHA-256 of the file's contents (links followed), or {@code null} while it is missing or unreadable. */
    private byte[] digest() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the configuration file " + file + " (" + e.getMessage() + ")");
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            watch.close();
        } catch (IOException e) {
            // closing only releases the inotify descriptor
        }
    }
}
