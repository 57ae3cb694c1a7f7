package dev.pmtud.app.rules;

import dev.pmtud.sys.nftables.NftClient;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code backend: auto}: nftables where the kernel has nf_tables, iptables otherwise. */
final class BackendProbe {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.rules");

    private BackendProbe() {
    }

    static RuleManager.Backend choose() {
        NftClient.Support s = NftClient.probe();
        RuleManager.Backend b;
        String why;
        switch (s) {
            case AVAILABLE -> {
                b = RuleManager.Backend.NFTABLES;
                why = "the kernel answers nf_tables requests";
            }
            case ABSENT -> {
                b = RuleManager.Backend.IPTABLES;
                why = "the kernel has no nf_tables";
            }
            default -> {
                // Without CAP_NET_ADMIN the kernel answers nothing; whether the module is there still shows.
                boolean loaded = Files.isDirectory(Path.of("/sys/module/nf_tables"));
                b = loaded ? RuleManager.Backend.NFTABLES : RuleManager.Backend.IPTABLES;
                why = "no CAP_NET_ADMIN to ask the kernel, and nf_tables is " + (loaded ? "" : "not ") + "loaded";
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "rules.backend auto: " + b.name().toLowerCase(java.util.Locale.ROOT) + " (" + why + ")");
        return b;
    }
}
