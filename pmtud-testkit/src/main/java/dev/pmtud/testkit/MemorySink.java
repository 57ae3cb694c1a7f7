package dev.pmtud.testkit;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Health;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Sink;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps a copy of every packet it is sent; can be told to fail every send, to bring a loop guard,
 * to declare devices it injects into, to state notes, to fail open(), or to report a health.
 */
public class MemorySink implements Sink {
    private final List<Packet> sent = new CopyOnWriteArrayList<>();
    private final boolean failing;
    private final Filter loopGuard;
    private Set<String> injectsInto = Set.of();
    private List<String> notes = List.of();
    private String openFailure;
    private volatile Health health = Health.OK;
    private volatile boolean opened;
    private volatile boolean flushed;
    private volatile boolean closed;

    public MemorySink() {
        this(false, null);
    }

    public MemorySink(boolean failing, Filter loopGuard) {
        this.failing = failing;
        this.loopGuard = loopGuard;
    }

    /** Declares {@link #injectsInto()}, as an inject sink would. */
    public MemorySink injecting(Set<String> devices) {
        this.injectsInto = Set.copyOf(devices);
        return this;
    }

    public MemorySink withNotes(List<String> notes) {
        this.notes = List.copyOf(notes);
        return this;
    }

    /** What {@link #health()} answers from now on. */
    public MemorySink reporting(Health now) {
        this.health = now;
        return this;
    }

    @Override
    public Health health() {
        return health;
    }

    /** Makes open() throw an IOException with this message (after counting as opened). */
    public MemorySink failingOpen(String message) {
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
    public Set<String> injectsInto() {
        return injectsInto;
    }

    @Override
    public List<String> notes() {
        return notes;
    }

    @Override
    public void send(Packet packet) throws IOException {
        if (failing) {
            throw new IOException("test sink fails on purpose");
        }
        sent.add(packet.copy());
    }

    @Override
    public Filter loopGuard() {
        return loopGuard;
    }

    @Override
    public void flush() {
        flushed = true;
    }

    @Override
    public void close() {
        closed = true;
    }

    public List<Packet> sent() {
        return sent;
    }

    public boolean opened() {
        return opened;
    }

    public boolean flushedAndClosed() {
        return flushed && closed;
    }
}
