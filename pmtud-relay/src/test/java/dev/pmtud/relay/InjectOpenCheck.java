package dev.pmtud.relay;

import dev.pmtud.api.Sink;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.TestContext;

/**
 * Opens an inject sink the way the daemon does and prints the one-line outcome, for tests that need
 * another process (one without CAP_NET_ADMIN). Prints {@code OPENED} or {@code ERROR: msg}.
 */
public final class InjectOpenCheck {
    private InjectOpenCheck() {
    }

    public static void main(String[] args) {
        Sink s = new InjectSinkFactory().create(Cfg.component("sinks", "inject", "device", args[0]), new TestContext());
        try {
            s.open();
            System.out.println("OPENED");
        } catch (Exception e) {
            System.out.println("ERROR: " + e.getMessage());
        } finally {
            try {
                s.close();
            } catch (Exception e) {
                System.out.println("CLOSE FAILED: " + e.getMessage());
            }
        }
    }
}
