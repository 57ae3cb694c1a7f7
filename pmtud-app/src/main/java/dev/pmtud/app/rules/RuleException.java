package dev.pmtud.app.rules;

/** An iptables command failed; the message is one line that names the command and the reason. */
public final class RuleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuleException(String message) {
        super(message);
    }
}
