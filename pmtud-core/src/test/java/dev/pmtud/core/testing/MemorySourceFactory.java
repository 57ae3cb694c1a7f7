package dev.pmtud.core.testing;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import java.util.List;
import java.util.Set;

/** {@code { type: memory }}: a live source with nothing to read, for configuration-level tests. */
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
        return Set.of("live");
    }

    @Override
    public Source create(ComponentConfig config, PipelineContext context) {
        return new MemorySource(List.of(), config.bool("live", true));
    }
}
