package dev.pmtud.core.sink;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import java.util.Locale;
import java.util.Set;

/** {@code { type: log, level: info }}: level is one of debug, info, warning. */
public final class LogSinkFactory implements SinkFactory {

    @Override
    public String type() {
        return "log";
    }

    @Override
    public String description() {
        return "logs one line per forwarded message (outer source, MTU, embedded flow)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("level");
    }

    @Override
    public Sink create(ComponentConfig config, PipelineContext context) {
        String level = config.oneOf("level", "info", "debug", "info", "warning");
        return new LogSink(context.logger(),
                System.Logger.Level.valueOf(level.toUpperCase(Locale.ROOT)));
    }
}
