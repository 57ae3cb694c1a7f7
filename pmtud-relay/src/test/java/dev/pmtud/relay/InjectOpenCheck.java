package dev.pmtud.relay;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens an inject sink the way the daemon does and prints the one-line outcome, for tests that need
 * another process (one without CAP_NET_ADMIN, one with a read-only /proc/sys). Prints {@code OPENED}
 * or {@code ERROR: msg}. With a second argument {@code --send}: after opening, the device's settings
 * as /proc/sys shows them, and what became of one IPv4 and one IPv6 message:
 * {@code OPENED rp_filter=2 disable_ipv6=0 written=2 ipv6-refused=0 ipv6-problem=none}.
 */
public final class InjectOpenCheck {
    private InjectOpenCheck() {
    }

    public static void main(String[] args) {
        String device = args[0];
        boolean send = args.length > 1 && args[1].equals("--send");
        TestContext ctx = new TestContext("check");
        InjectSink s = (InjectSink) new InjectSinkFactory().create(Cfg.component("sinks", "inject", "device", device), ctx);
        try {
            s.open();
            StringBuilder line = new StringBuilder("OPENED");
            if (send) {
                line.append(" rp_filter=").append(proc("net/ipv4/conf/" + device + "/rp_filter"));
                line.append(" disable_ipv6=").append(proc("net/ipv6/conf/" + device + "/disable_ipv6"));
                for (byte[] m : new byte[][] {Ptb.v4().build(), Ptb.v6().build()}) {
                    Packet p = new Packet().wrap(m, 0, m.length, LinkType.RAW, 1L);
                    p.decode();
                    try {
                        s.send(p);
                    } catch (Exception e) {
                        // counted by the sink; the counts below say what happened
                    }
                }
                line.append(" written=").append(s.writtenCount());
                line.append(" ipv6-refused=").append(Math.max(0, ctx.metrics().count(InjectSink.ERRORS, "node", "check", "sink", "inject",
                        "errno", "EAFNOSUPPORT")));
                line.append(" ipv6-problem=").append(s.ipv6Problem().orElse("none"));
            }
            System.out.println(line);
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

    private static String proc(String path) throws java.io.IOException {
        return Files.readString(Path.of("/proc/sys").resolve(path)).trim();
    }
}
