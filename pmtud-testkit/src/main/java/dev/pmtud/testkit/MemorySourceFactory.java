package dev.pmtud.testkit;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: memory }}: a live source with nothing to read, for configuration-level tests.
 * {@code messages: N} first hands on N frag-needed messages from 203.0.113.1, .2, ... (MTU 1400);
 * {@code live: false} makes it end after them; {@code captures-from: [dev]} declares devices;
 * {@code fail-open: MESSAGE} makes open() fail.
 */
public final class MemorySourceFactory implements SourceFactory {
    @Override
    public String type() {
        return "memory";
    }

    @Override
    public String description() {
        return "test: a live source that reads nothing";
    }

    @Override
    public Set<String> keys() {
        return Set.of("live", "messages", "captures-from", "fail-open");
    }

    @Override
    public Source create(ComponentConfig config, PipelineContext context) {
        int count = config.integer("messages", 0, 0, 250);
        List<MemorySource.Frame> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(new MemorySource.Frame(Ptb.v4().from("203.0.113." + (i + 1)).mtu(1400).build(), Packets.T0 + i));
        }
        MemorySource source = new MemorySource(frames, config.bool("live", true));
        if (config.has("captures-from")) {
            source.capturing(new HashSet<>(config.strings("captures-from")));
        }
        if (config.has("fail-open")) {
            source.failingOpen(config.string("fail-open"));
        }
        return source;
    }
}
