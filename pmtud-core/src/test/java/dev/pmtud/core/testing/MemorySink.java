package dev.pmtud.core.testing;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Sink;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps a copy of every packet it is sent; can be told to fail every send or to bring a loop guard. */
public class MemorySink implements Sink {
    private final List<Packet> sent = new CopyOnWriteArrayList<>();
    private final boolean failing;
    private final Filter loopGuard;
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

    @Override
    public void open() {
        opened = true;
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
