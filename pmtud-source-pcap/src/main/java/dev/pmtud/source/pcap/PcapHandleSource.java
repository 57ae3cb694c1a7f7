package dev.pmtud.source.pcap;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Source;
import java.io.IOException;
import org.pcap4j.core.PcapHandle;

/**
 * What the pcap sources share: one pcap4j handle, made by {@code open()} ({@link #install}), read
 * by {@link #run} through {@link #loop}, and closed by {@link #close()} on the same thread once
 * run() returned (the runtime's lifecycle, so no locking). pcap4j guards its own handle: a
 * statistics read on another thread after the close is refused, not a use after free.
 */
abstract class PcapHandleSource implements Source {
    /** Written by open(); the runtime makes it visible to the thread that runs and closes. */
    protected volatile PcapHandle handle;
    private volatile LinkType linkType;

    /** The link type of the open handle, or {@code null} before {@code open()}. */
    public LinkType linkType() {
        return linkType;
    }

    /** Makes {@code h}, of link type {@code type}, the handle to read and close. */
    protected final void install(PcapHandle h, LinkType type) {
        handle = h;
        linkType = type;
    }

    /** Reads from {@code h} (opened with {@code type}) until the end, a failure or wakeup(). */
    protected abstract void loop(PcapHandle h, LinkType type, PacketHandler handler) throws IOException;

    @Override
    public final void run(PacketHandler handler) throws IOException {
        PcapHandle h = handle;
        if (h == null) {
            throw new IllegalStateException("open() the source before run()");
        }
        loop(h, linkType, handler);
    }

    /** Closes the handle, if open() made one. */
    @Override
    public void close() {
        PcapHandle h = handle;
        if (h != null) {
            h.close();
        }
    }
}
