package dev.pmtud.core;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: test-sequence }}: remembers which numbered messages ({@link StreamSourceFactory})
 * it was sent, and how often one came twice, without keeping the packets (a stream is millions).
 * {@code fail-open: MESSAGE} makes open() fail; {@code tag: X} only makes its block differ;
 * {@code file: PATH} names a file that configures it ({@link #configurationFiles}), read by nobody.
 */
public final class SequenceSinkFactory implements SinkFactory {
    @Override
    public String type() {
        return "test-sequence";
    }

    @Override
    public String description() {
        return "test: which numbered messages arrived";
    }

    @Override
    public Set<String> keys() {
        return Set.of("fail-open", "tag", "file");
    }

    @Override
    public List<Path> configurationFiles(ComponentConfig config) {
        return config.has("file") ? List.of(Path.of(config.string("file"))) : List.of();
    }

    @Override
    public Sink create(ComponentConfig config, PipelineContext context) {
        return new SequenceSink(config.string("fail-open", null));
    }

    /** The sink; called under its pipeline's lock, read by the test under its own. */
    static final class SequenceSink implements Sink {
        private final String openFailure;
        private final BitSet seen = new BitSet();
        private long count;
        private long duplicates;
        private volatile boolean open;
        private volatile boolean closed;

        SequenceSink(String openFailure) {
            this.openFailure = openFailure;
        }

        @Override
        public void open() throws IOException {
            if (openFailure != null) {
                throw new IOException(openFailure);
            }
            open = true;
        }

        @Override
        public synchronized void send(Packet packet) {
            if (!open || closed) {
                throw new IllegalStateException("sent to while " + (closed ? "closed" : "not open"));
            }
            byte[] b = packet.buffer();
            int o = packet.outerSourceOffset();
            int n = (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
            if (seen.get(n)) {
                duplicates++;
            }
            seen.set(n);
            count++;
        }

        synchronized long count() {
            return count;
        }

        synchronized long duplicates() {
            return duplicates;
        }

        /** How many of 0..n-1 arrived. */
        synchronized int distinctBelow(int n) {
            return seen.get(0, n).cardinality();
        }

        boolean opened() {
            return open;
        }

        boolean closed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
