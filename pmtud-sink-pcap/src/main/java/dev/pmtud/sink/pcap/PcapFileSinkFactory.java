package dev.pmtud.sink.pcap;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import java.nio.file.Path;
import java.util.Set;

/** {@code { type: pcap-file, path: out.pcap, append: false }}. */
public final class PcapFileSinkFactory implements SinkFactory {
    @Override
    public String type() {
        return "pcap-file";
    }

    @Override
    public String description() {
        return "writes each forwarded packet (IP bytes as received, capture time in ns) to a raw-IP pcap file";
    }

    @Override
    public Set<String> keys() {
        return Set.of("path", "append");
    }

    @Override
    public Sink create(ComponentConfig config, PipelineContext context) {
        String path = config.string("path");
        if (path.isBlank()) {
            throw config.error("path", "is empty; give the pcap file to write");
        }
        return new PcapFileSink(Path.of(path), config.bool("append", false));
    }
}
