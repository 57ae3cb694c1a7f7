package dev.pmtud.api;

/**
 * A configuration mistake, located: its message reads {@code file:line: what is wrong; what is
 * allowed}. The CLI prints the message alone (no stack trace) and exits with status 2.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String problem;

    public ConfigException(String file, int line, String problem) {
        super(location(file, line) + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    private static String location(String file, int line) {
        return line > 0 ? file + ":" + line : file;
    }

    public String file() {
        return file;
    }

    /** 1-based; 0 when the mistake has no single line (a missing top-level key). */
    public int line() {
        return line;
    }

    /** The message without the location. */
    public String problem() {
        return problem;
    }
}
