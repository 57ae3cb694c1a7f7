package dev.pmtud.app.rules;

import java.security.SecureRandom;

/**
 * Which run of pmtud added a rule, written into the rule's comment after {@code pmtud} (nftables:
 * {@code pmtud <fingerprint> <owner>}, iptables: {@code pmtud <owner>}), so that a process removes
 * only what it added itself: a refused second start, a predecessor cleaning up late or a daemon for
 * another group never takes this one's rules. The owner is the pid as the process sees it (for the
 * operator reading {@code nft list ruleset}) and 32 random bits: a pid alone repeats across pods
 * (each pod's pmtud is often pid 1 in its own pid namespace) and across restarts.
 *
 * <p>Liveness is never read from it: whoever holds the rule's NFLOG group (the kernel lets one socket
 * bind it) is the only live owner of the group's rules, so a rule of another owner for that group is
 * a predecessor's leftover (see {@link RuleManager#install()}).
 *
 * @param id {@code <pid>-<8 hex digits>}, e.g. {@code 4711-9c0ffee1}
 */
record RuleOwner(String id) {
    static final String TAG = "pmtud";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new owner for this process: one per {@link RuleManager}. */
    static RuleOwner create() {
        return new RuleOwner(ProcessHandle.current().pid() + "-" + String.format("%08x", RANDOM.nextInt()));
    }

    /** Whether a comment marks an object as pmtud's: {@code pmtud} alone or followed by a space and more. */
    static boolean tagged(String comment) {
        return comment != null && (comment.equals(TAG) || comment.startsWith(TAG + " "));
    }

    /**
     * The {@code position}-th word after {@code pmtud} in a pmtud comment (0: the first), or
     * {@code ""} when there is none (a rule an older pmtud wrote without an owner).
     */
    static String word(String comment, int position) {
        String[] w = comment.split(" ");
        return w.length > position + 1 ? w[position + 1] : "";
    }

    @Override
    public String toString() {
        return id;
    }
}
