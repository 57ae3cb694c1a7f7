package dev.pmtud.core.sink;

import dev.pmtud.api.Packet;
import dev.pmtud.api.Sink;

/** Writes one line per forwarded message: outer source, MTU and embedded flow. For dry runs and debugging. */
public final class LogSink implements Sink {
    private final System.Logger logger;
    private final System.Logger.Level level;

    public LogSink(System.Logger logger, System.Logger.Level level) {
        this.logger = logger;
        this.level = level;
    }

    @Override
    public void open() {
    }

    @Override
    public void send(Packet packet) {
        if (logger.isLoggable(level)) {
            logger.log(level, "forwarded " + packet.describe());
        }
    }

    @Override
    public void close() {
    }
}
