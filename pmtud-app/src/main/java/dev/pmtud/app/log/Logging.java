package dev.pmtud.app.log;

import java.io.PrintStream;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** Sets up java.util.logging (which also backs System.Logger) with one-line records on stderr. */
public final class Logging {
    public static final String LEVELS = "error, warn, info, debug, trace";

    /** JUL holds loggers weakly: keep the ones whose level is set here. */
    private static final Logger PCAP4J = Logger.getLogger("org.pcap4j");

    private Logging() {
    }

    /** Maps the CLI's level words onto JUL levels; unknown words are refused by the caller. */
    public static Level parseLevel(String word) {
        switch (word.toLowerCase(Locale.ROOT)) {
            case "error": return Level.SEVERE;
            case "warn": case "warning": return Level.WARNING;
            case "info": return Level.INFO;
            case "debug": return Level.FINE;
            case "trace": return Level.FINEST;
            default: throw new IllegalArgumentException("'" + word + "' is not a log level; use one of " + LEVELS);
        }
    }

    public static void configure(Level level, PrintStream err) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        // LogManager.reset() closes a StreamHandler's stream: never let that be stderr itself.
        java.io.OutputStream unclosable = new java.io.FilterOutputStream(err) {
            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws java.io.IOException {
                flush();
            }
        };
        Handler handler = new StreamHandler(unclosable, new OneLineFormatter(level.intValue() <= Level.FINE.intValue())) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush(); // logs must appear when written, not when a buffer fills
            }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(level);
        // pcap4j reports every library load and handle at INFO; only its problems interest an operator.
        PCAP4J.setLevel(level.intValue() <= Level.FINE.intValue() ? level : Level.WARNING);
    }
}
