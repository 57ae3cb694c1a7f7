package dev.pmtud.sink.raw;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What a logger (java.util.logging, which backs System.Logger) received while a test listened. */
final class LogRecords extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new ArrayList<>();

    private LogRecords(String name) {
        this.logger = Logger.getLogger(name);
        logger.addHandler(this);
    }

    static LogRecords listen(String name) {
        return new LogRecords(name);
    }

    @Override
    public synchronized void publish(LogRecord r) {
        records.add(r);
    }

    /** The messages logged at {@code level} that contain {@code text}. */
    synchronized List<String> messages(Level level, String text) {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            Object[] params = r.getParameters();
            String m = params == null || params.length == 0 ? r.getMessage() : java.text.MessageFormat.format(r.getMessage(), params);
            if (r.getLevel().equals(level) && m.contains(text)) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public synchronized String toString() {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            out.add(r.getLevel() + " " + r.getMessage());
        }
        return String.join("\n", out);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
