package dev.pmtud.source.nflog;

/**
 * Opens an NFLOG source the way the daemon does and prints the one-line outcome, for tests that
 * need another process (one without CAP_NET_ADMIN). Prints {@code OPENED} or {@code ERROR: msg}.
 */
public final class OpenCheck {
    private OpenCheck() {
    }

    public static void main(String[] args) {
        int group = Integer.parseInt(args[0]);
        NflogSource s = new NflogSource(NflogSettings.defaults(group), "nflog-" + group, System.getLogger("nflog"));
        try {
            s.open();
            System.out.println("OPENED");
        } catch (Exception e) {
            System.out.println("ERROR: " + e.getMessage());
        } finally {
            s.close();
        }
    }
}
