package dev.pmtud.app.rules;

/** Managing the capture rule failed; the message is one line that names the command or nf_tables operation, the reason and the fix. */
public final class RuleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuleException(String message) {
        super(message);
    }
}
