package dev.pmtud.testkit;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code { type: memory }}: a {@link MemorySink}; {@code injects-into: [dev]} declares devices,
 * {@code note: TEXT} states a note, {@code fail-open: MESSAGE} makes open() fail.
 */
public final class MemorySinkFactory implements SinkFactory {
    @Override
    public String type() {
        return "memory";
    }

    @Override
    public String description() {
        return "test: keeps what it is sent";
    }

    @Override
    public Set<String> keys() {
        return Set.of("injects-into", "note", "fail-open");
    }

    @Override
    public Sink create(ComponentConfig config, PipelineContext context) {
        MemorySink sink = new MemorySink();
        if (config.has("injects-into")) {
            sink.injecting(new HashSet<>(config.strings("injects-into")));
        }
        if (config.has("note")) {
            sink.withNotes(java.util.List.of(config.string("note")));
        }
        if (config.has("fail-open")) {
            sink.failingOpen(config.string("fail-open"));
        }
        return sink;
    }
}
