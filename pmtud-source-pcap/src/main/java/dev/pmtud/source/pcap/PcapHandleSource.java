package dev.pmtud.source.pcap;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Source;
import java.io.IOException;
import org.pcap4j.core.PcapHandle;

/**
 * What the pcap sources share: one pcap4j handle taken through open, run and close under one lock.
 * {@code open()} ends with {@link #install}; {@link #run} hands the handle to {@link #loop} and
 * closes it afterwards, unless close() does because run never started.
 */
abstract class PcapHandleSource implements Source {
    protected final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    protected PcapHandle handle;
    /** Guarded by {@link #lock}. */
    protected boolean running;
    protected volatile boolean closed;
    private volatile LinkType linkType;

    /** The link type of the open handle, or {@code null} before {@code open()}. */
    public LinkType linkType() {
        return linkType;
    }

    /**
     * Makes {@code h} the open handle. When the source was closed meanwhile, throws instead, and the
     * caller closes {@code h}.
     *
     * @param what how messages name the source, e.g. {@code "pcap-file source: x.pcap"}
     */
    protected final void install(PcapHandle h, LinkType type, String what) throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IOException(what + " was closed before it was opened");
            }
            handle = h;
            linkType = type;
        }
    }

    /**
     * Reads from {@code h} (opened with {@code type}) until the end, a failure or close(); the
     * handle is closed afterwards by {@link #run}.
     */
    protected abstract void loop(PcapHandle h, LinkType type, PacketHandler handler) throws IOException;

    @Override
    public final void run(PacketHandler handler) throws IOException {
        PcapHandle h = beginRun();
        if (h == null) {
            return;
        }
        try {
            loop(h, linkType, handler);
        } finally {
            endRun();
        }
    }

    /** The handle to run on, now marked running; {@code null} when the source was closed first. */
    private PcapHandle beginRun() {
        synchronized (lock) {
            if (closed) {
                return null;
            }
            if (handle == null) {
                throw new IllegalStateException("open() the source before run()");
            }
            running = true;
            return handle;
        }
    }

    /** The end of run(): no longer running, and the handle closed. */
    private void endRun() {
        synchronized (lock) {
            running = false;
            closeHandle();
        }
    }

    /** Closes the handle if open; called under {@link #lock}. */
    protected void closeHandle() {
        if (handle != null) {
            handle.close();
            handle = null;
        }
    }
}
