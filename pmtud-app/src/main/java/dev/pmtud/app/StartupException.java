package dev.pmtud.app;

/**
 * The daemon cannot start for a reason outside the configuration (a port in use, a missing
 * plugin directory, a socket the kernel refused). The CLI prints the message alone and exits 1.
 */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
