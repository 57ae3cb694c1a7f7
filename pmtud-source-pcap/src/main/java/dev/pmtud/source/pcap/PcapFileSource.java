package dev.pmtud.source.pcap;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Replays a pcap file: every record becomes one {@link Packet} stamped with its capture time, at full
 * speed or paced like the capture ({@code realtime}). Ends at the end of the file.
 */
public final class PcapFileSource extends PcapHandleSource {
    private final Path path;
    private final boolean realtime;
    private final Packet packet = new Packet();
    /** The wake-up: counted down by wakeup(), checked per record and awaited between paced records. */
    private final CountDownLatch woken = new CountDownLatch(1);

    public PcapFileSource(Path path, boolean realtime) {
        this.path = path;
        this.realtime = realtime;
    }

    public Path path() {
        return path;
    }

    @Override
    public void open() throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("pcap-file source: " + path + " does not exist; check the path");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IOException("pcap-file source: cannot read " + path + "; it must be a readable pcap file");
        }
        LibPcap.ensureLoadable();
        PcapHandle h;
        try {
            // NANO: libpcap scales µs files up, so both formats keep their exact times.
            h = Pcaps.openOffline(path.toString(), PcapHandle.TimestampPrecision.NANO);
        } catch (PcapNativeException e) {
            throw new IOException("pcap-file source: cannot open " + path + " as a pcap file: " + Pcap4j.oneLine(e));
        } catch (LinkageError e) {
            throw Pcap4j.loadError(e);
        }
        int dlt = h.getDlt().value();
        LinkType type = LinkType.fromPcap(dlt);
        if (type == null) {
            h.close();
            throw new IOException("pcap-file source: " + path + " has link type " + dlt + " (" + h.getDlt().name()
                    + "), which pmtud cannot decode; use a capture of Ethernet (1), raw IP (101, 12, 14, 228, 229)"
                    + " or Linux cooked (113, 276) frames");
        }
        install(h, type);
    }

    @Override
    protected void loop(PcapHandle h, LinkType type, PacketHandler handler) throws IOException {
        long firstCapture = 0;
        long firstWall = 0;
        boolean first = true;
        while (woken.getCount() > 0) {
            byte[] data;
            try {
                // pcap4j hands each record over as a new array; it is wrapped, never copied again.
                data = h.getNextRawPacketEx();
            } catch (EOFException end) {
                return;
            } catch (TimeoutException e) {
                continue; // not raised by offline handles; harmless if it were
            } catch (PcapNativeException | NotOpenException e) {
                throw new IOException("pcap-file source: reading " + path + " failed: " + Pcap4j.oneLine(e));
            }
            long ts = Pcap4j.epochNanos(h.getTimestamp());
            if (realtime) {
                if (first) {
                    firstCapture = ts;
                    firstWall = System.nanoTime();
                    first = false;
                } else if (!awaitOffset(firstWall, ts - firstCapture)) {
                    return;
                }
            }
            packet.wrap(data, 0, data.length, type, ts);
            handler.handle(packet);
        }
    }

    /** Waits until {@code offsetNanos} after {@code startWall}; false when woken meanwhile. */
    private boolean awaitOffset(long startWall, long offsetNanos) {
        long left = startWall + offsetNanos - System.nanoTime();
        try {
            return left <= 0 ? woken.getCount() > 0 : !woken.await(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void wakeup() {
        woken.countDown();
    }

    @Override
    public String toString() {
        return "pcap-file " + path;
    }
}
