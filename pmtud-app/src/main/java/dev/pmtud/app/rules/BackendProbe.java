package dev.pmtud.app.rules;

import dev.pmtud.sys.nftables.NftClient;

/** {@code backend: auto}: nftables where the kernel has nf_tables, iptables otherwise. */
final class BackendProbe {
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.rules");

    private BackendProbe() {
    }

    static RuleSettings.Backend choose() {
        NftClient.Support s = NftClient.probe();
        RuleSettings.Backend b;
        String why;
        switch (s) {
            case AVAILABLE -> {
                b = RuleSettings.Backend.NFTABLES;
                why = "the kernel answers nf_tables requests";
            }
            case ABSENT -> {
                b = RuleSettings.Backend.IPTABLES;
                why = "the kernel has no nf_tables";
            }
            default -> {
                // Without CAP_NET_ADMIN the kernel answers nothing, and neither backend could manage the
                // rule; nftables then gives the clearer error (and what print shows matches where
                // nf_tables is, nearly every kernel since 3.13).
                b = RuleSettings.Backend.NFTABLES;
                why = "no CAP_NET_ADMIN to ask the kernel";
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "rules.backend auto: " + b.name().toLowerCase(java.util.Locale.ROOT) + " (" + why + ")");
        return b;
    }
}
