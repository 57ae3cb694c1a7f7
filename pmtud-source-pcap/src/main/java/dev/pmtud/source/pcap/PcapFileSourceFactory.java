package dev.pmtud.source.pcap;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import java.nio.file.Path;
import java.util.Set;

/** {@code { type: pcap-file, path: capture.pcap, speed: max | realtime }}. */
public final class PcapFileSourceFactory implements SourceFactory {
    @Override
    public String type() {
        return "pcap-file";
    }

    @Override
    public String description() {
        return "replays a pcap file (Ethernet, raw IP, Linux cooked), at full speed or with the capture's timing";
    }

    @Override
    public Set<String> keys() {
        return Set.of("path", "speed");
    }

    @Override
    public Source create(ComponentConfig config, PipelineContext context) {
        String path = config.string("path");
        if (path.isBlank()) {
            throw config.error("path", "is empty; give the pcap file to read");
        }
        boolean realtime = config.oneOf("speed", "max", "max", "realtime").equals("realtime");
        return new PcapFileSource(Path.of(path), realtime);
    }
}
