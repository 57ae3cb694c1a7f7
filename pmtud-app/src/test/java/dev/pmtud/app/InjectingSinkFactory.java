package dev.pmtud.app;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import java.util.List;
import java.util.Set;

/**
 * A test sink that declares it injects into a device ({@code { type: test-inject, device: NAME }})
 * and does nothing else, so that the loop checks can be exercised without a TUN device; with
 * {@code note: TEXT} it also states a note.
 */
public final class InjectingSinkFactory implements SinkFactory {
    @Override
    public String type() {
        return "test-inject";
    }

    @Override
    public String description() {
        return "test sink: declares injectsInto(device), sends nowhere";
    }

    @Override
    public Set<String> keys() {
        return Set.of("device", "note");
    }

    @Override
    public Sink create(ComponentConfig config, PipelineContext context) {
        Set<String> device = Set.of(config.string("device"));
        List<String> notes = config.has("note") ? List.of(config.string("note")) : List.of();
        return new Sink() {
            @Override
            public void open() {
            }

            @Override
            public void send(Packet packet) {
            }

            @Override
            public Set<String> injectsInto() {
                return device;
            }

            @Override
            public List<String> notes() {
                return notes;
            }

            @Override
            public void close() {
            }
        };
    }
}
