package dev.pmtud.testkit;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes classic pcap files in plain Java, independent of libpcap and pcap4j, so that
 * tests can build inputs and check outputs byte for byte against something other than the code
 * under test. Writes little-endian nanosecond pcap (magic a1b23c4d); reads µs and ns, both orders.
 */
public final class PcapFile {
    private PcapFile() {
    }

    /** One captured record: time in nanoseconds since the epoch, and the bytes. */
    public record Record(long timestampNanos, byte[] data, int originalLength) {
        public Record(long timestampNanos, byte[] data) {
            this(timestampNanos, data, data.length);
        }
    }

    /** A file's link type and records. */
    public record Capture(int linkType, boolean nanosecond, List<Record> records) {
    }

    public static void write(Path file, int linkType, List<Record> records) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(linkType);
            out.write(h.array());
            for (Record r : records) {
                ByteBuffer rh = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                rh.putInt((int) (r.timestampNanos() / 1_000_000_000L)).putInt((int) (r.timestampNanos() % 1_000_000_000L))
                        .putInt(r.data().length).putInt(r.originalLength());
                out.write(rh.array());
                out.write(r.data());
            }
        }
    }

    public static Capture read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            DataInputStream d = new DataInputStream(in);
            byte[] hb = new byte[24];
            d.readFully(hb);
            ByteBuffer h = ByteBuffer.wrap(hb).order(ByteOrder.LITTLE_ENDIAN);
            int magic = h.getInt(0);
            boolean nano;
            if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
                nano = magic == 0xa1b23c4d;
            } else {
                h.order(ByteOrder.BIG_ENDIAN);
                magic = h.getInt(0);
                if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
                    throw new IOException(file + " is not a pcap file (magic " + Integer.toHexString(magic) + ")");
                }
                nano = magic == 0xa1b23c4d;
            }
            int linkType = h.getInt(20) & 0x0fffffff;
            List<Record> records = new ArrayList<>();
            byte[] rb = new byte[16];
            while (true) {
                try {
                    d.readFully(rb);
                } catch (EOFException eof) {
                    break;
                }
                ByteBuffer r = ByteBuffer.wrap(rb).order(h.order());
                long sec = r.getInt(0) & 0xffffffffL;
                long frac = r.getInt(4) & 0xffffffffL;
                int caplen = r.getInt(8);
                int orig = r.getInt(12);
                byte[] data = new byte[caplen];
                d.readFully(data);
                records.add(new Record(sec * 1_000_000_000L + (nano ? frac : frac * 1000), data, orig));
            }
            return new Capture(linkType, nano, records);
        }
    }
}
