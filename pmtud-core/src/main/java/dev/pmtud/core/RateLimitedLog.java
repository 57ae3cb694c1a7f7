package dev.pmtud.core;

/**
 * Logs a recurring failure at most once per interval, with how many were left out in between: a
 * peer that keeps failing must not flood the log at packet rate.
 */
final class RateLimitedLog {
    private final System.Logger logger;
    private final long intervalNanos;
    private long lastNanos;
    private boolean logged;
    private long suppressed;

    RateLimitedLog(System.Logger logger, long intervalNanos) {
        this.logger = logger;
        this.intervalNanos = intervalNanos;
    }

    /** Called under the pipeline lock. */
    void warn(String message, Throwable error) {
        long now = System.nanoTime();
        if (logged && now - lastNanos < intervalNanos) {
            suppressed++;
            return;
        }
        String more = suppressed > 0 ? " (" + suppressed + " more like it since the last report)" : "";
        logger.log(System.Logger.Level.WARNING, message + ": " + error + more);
        logged = true;
        lastNanos = now;
        suppressed = 0;
    }
}
