package dev.pmtud.source.pcap;

import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.PollSet;
import dev.pmtud.sys.netlink.Link;
import dev.pmtud.sys.netlink.Rtnetlink;
import dev.pmtud.sys.netlink.RtnetlinkEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The live capture's interface, followed by name: whether it still is the one the capture was
 * opened on, and a wait, woken by the kernel's link notifications ({@link RtnetlinkEvents}), until
 * an interface of that name is there again (a deleted and re-created {@code eth0} has a new index).
 * Its {@link PollSet} is also how {@link #wakeup()} stops the wait, from any thread; once woken it
 * stays woken. Opened in the source's network namespace by {@code open()}; used and closed by the
 * source's thread.
 */
final class InterfaceWatch implements AutoCloseable {
    /** Looked up again this often even without a notification (one could be lost). */
    private static final int RECHECK_MILLIS = 1000;

    private final String name;
    private final RtnetlinkEvents events;
    private final Rtnetlink netlink;
    private final PollSet poll;
    /** The network namespace it was opened in ({@code net:[inode]}): a capture re-opened anywhere else would be another interface. */
    private final String namespace;

    private InterfaceWatch(String name, RtnetlinkEvents events, Rtnetlink netlink, PollSet poll, String namespace) {
        this.name = name;
        this.events = events;
        this.netlink = netlink;
        this.poll = poll;
        this.namespace = namespace;
    }

    static InterfaceWatch open(String name) throws NativeException {
        RtnetlinkEvents events = RtnetlinkEvents.open(RtnetlinkEvents.LINKS);
        Rtnetlink netlink = null;
        try {
            netlink = Rtnetlink.open();
            return new InterfaceWatch(name, events, netlink, new PollSet(events.fd()), currentNamespace());
        } catch (NativeException | RuntimeException e) {
            events.close();
            if (netlink != null) {
                netlink.close();
            }
            throw e;
        }
    }

    /** The interface of that name now, or {@code null} when there is none. */
    Link now() throws NativeException {
        return netlink.link(name);
    }

    /**
     * Waits until a notification names the interface (or a second passes, or notifications were
     * lost): time to look again.
     *
     * @return false once {@link #wakeup()} was called
     */
    boolean await() throws NativeException {
        if (poll.await(RECHECK_MILLIS) == PollSet.WOKEN) {
            return false;
        }
        if (poll.readable(0)) {
            events.drain(link -> { }); // what changed is looked up by name afterwards
        }
        return true;
    }

    /** Whether {@link #wakeup()} was called. */
    boolean woken() throws NativeException {
        return poll.await(0) == PollSet.WOKEN;
    }

    /** Stops a wait under way and every later one. Any thread, any time, also after close. */
    void wakeup() {
        poll.wakeup();
    }

    /** Whether the calling thread is in the namespace the watch was opened in, so a capture opened now is on the right interface. */
    boolean sameNamespace() {
        return namespace.equals(currentNamespace());
    }

    private static String currentNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        poll.close();
        events.close();
        netlink.close();
    }
}
