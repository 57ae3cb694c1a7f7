package dev.pmtud.sink.pcap;

import dev.pmtud.api.Packet;
import dev.pmtud.api.Sink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes every forwarded packet's outer IP packet, as received, to a classic pcap file of link type
 * raw IP (101) with nanosecond timestamps (magic {@code a1b23c4d}), the capture time of the packet.
 *
 * <p>Written in plain Java rather than through libpcap's dumper: a file writer needs no native
 * library, this way nothing is allocated per packet (one reused buffer), and appending to an
 * existing file is possible. tcpdump, tshark and pcap4j read the result.
 */
public final class PcapFileSink implements Sink {
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int LINKTYPE_RAW = 101;
    static final int SNAPLEN = 262144;
    private static final int HEADER = 24;
    private static final int RECORD_HEADER = 16;
    /** Fits the largest IPv6 packet without jumbo payload (40 + 65535) plus its record header. */
    private static final int BUFFER = 128 * 1024;

    private final Path path;
    private final boolean append;
    private final ByteBuffer out = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private FileChannel channel;
    private long written;

    public PcapFileSink(Path path, boolean append) {
        this.path = path;
        this.append = append;
    }

    public Path path() {
        return path;
    }

    /** Packets written since {@link #open()}. */
    public long written() {
        return written;
    }

    @Override
    public void open() throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IOException("pcap-file sink: directory " + dir + " of " + path + " does not exist; create it or change 'path'");
        }
        boolean extend = append && Files.isRegularFile(path) && Files.size(path) > 0;
        try {
            if (extend) {
                checkAppendable();
                channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            } else {
                channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                out.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                        .putInt(SNAPLEN).putInt(LINKTYPE_RAW);
                flush();
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("pcap-file sink:")) {
                throw e;
            }
            throw new IOException("pcap-file sink: cannot write " + path + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? " " + e.getMessage() : "") + "; check the path and its permissions");
        }
    }

    /** Appending is only safe onto a file in exactly the format this sink writes. */
    private void checkAppendable() throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            while (h.hasRemaining() && in.read(h) >= 0) {
                // fill
            }
        }
        if (h.position() < HEADER || h.getInt(0) != MAGIC_NANOS || (h.getInt(20) & 0x0fffffff) != LINKTYPE_RAW) {
            throw new IOException("pcap-file sink: cannot append to " + path
                    + ": it is not a little-endian nanosecond pcap file of link type raw IP (101); write to a new file or set append: false");
        }
    }

    @Override
    public void send(Packet packet) throws IOException {
        if (channel == null) {
            throw new IOException("pcap-file sink: " + path + " is not open");
        }
        int len = packet.l3Length();
        if (out.remaining() < RECORD_HEADER + len) {
            flush();
        }
        long ts = packet.timestampNanos();
        out.putInt((int) Math.floorDiv(ts, 1_000_000_000L))
                .putInt((int) Math.floorMod(ts, 1_000_000_000L))
                .putInt(len)
                .putInt(len)
                .put(packet.buffer(), packet.l3Offset(), len);
        written++;
    }

    @Override
    public void flush() throws IOException {
        if (channel == null) {
            return;
        }
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
    }

    @Override
    public void close() throws IOException {
        if (channel == null) {
            return;
        }
        try {
            flush();
        } finally {
            channel.close();
            channel = null;
        }
    }

    @Override
    public String toString() {
        return "pcap-file " + path;
    }
}
