package dev.pmtud.app.rules;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What {@code dev.pmtud.app.rules} logs while open: the messages, in order. */
final class RuleLog extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("dev.pmtud.app.rules");
    private final List<String> lines = new CopyOnWriteArrayList<>();

    RuleLog() {
        logger.addHandler(this);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    boolean any(String part) {
        return lines.stream().anyMatch(l -> l.contains(part));
    }

    @Override
    public void publish(LogRecord r) {
        lines.add(r.getLevel() + " " + r.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
