package dev.pmtud.testkit;

import dev.pmtud.api.Health;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Source;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Hands fixed buffers to the pipeline, reusing one {@link Packet} as real sources do. A finite one
 * returns after the last buffer (like a file); a live one then blocks until woken. The latch is its
 * wake-up, as an eventfd is a socket source's.
 */
public final class MemorySource implements Source {
    /** One buffer and its capture time. */
    public record Frame(byte[] l3, long timestampNanos) {
    }

    private final List<Frame> frames;
    private final boolean live;
    private final CountDownLatch woken = new CountDownLatch(1);
    private final Packet packet = new Packet();
    private volatile boolean opened;
    private volatile int closeCalls;
    private Set<String> capturesFrom = Set.of();
    private String openFailure;
    private volatile Health health = Health.OK;

    public MemorySource(List<Frame> frames, boolean live) {
        this.frames = frames;
        this.live = live;
    }

    /** Declares {@link #capturesFrom()}, as a live capture would. */
    public MemorySource capturing(Set<String> devices) {
        this.capturesFrom = Set.copyOf(devices);
        return this;
    }

    /** What {@link #health()} answers from now on. */
    public MemorySource reporting(Health now) {
        this.health = now;
        return this;
    }

    @Override
    public Health health() {
        return health;
    }

    /** Makes open() throw an IOException with this message (after counting as opened). */
    public MemorySource failingOpen(String message) {
        this.openFailure = message;
        return this;
    }

    @Override
    public void open() throws IOException {
        opened = true;
        if (openFailure != null) {
            throw new IOException(openFailure);
        }
    }

    @Override
    public Set<String> capturesFrom() {
        return capturesFrom;
    }

    public boolean opened() {
        return opened;
    }

    public int closeCalls() {
        return closeCalls;
    }

    @Override
    public void run(PacketHandler handler) throws java.io.IOException {
        for (Frame f : frames) {
            if (woken.getCount() == 0) {
                return;
            }
            packet.wrap(f.l3(), 0, f.l3().length, LinkType.RAW, f.timestampNanos());
            handler.handle(packet);
        }
        if (live) {
            try {
                woken.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public long lost() {
        return 3;
    }

    @Override
    public void wakeup() {
        woken.countDown();
    }

    @Override
    public void close() {
        closeCalls++;
    }
}
