package dev.pmtud.app.rules;

import java.util.List;

/**
 * How the capture rule is written into the kernel: {@link IptablesBackend} (iptables/ip6tables
 * commands) or {@link NftablesBackend} (an nftables table of pmtud's own, over netlink). The
 * policy around it (which interface, when to ensure, the watch, removal at stop) is
 * {@link RuleManager}'s. Implementations are thread-safe as far as RuleManager needs: it
 * serialises calls.
 */
interface RuleBackend {
    /** {@code "iptables"} or {@code "nftables"}. */
    String name();

    /**
     * What an action does, as a user would type it: {@code print} and {@code ensure} give what
     * installs the rule, {@code remove} what deletes it.
     */
    List<String> commands(String action, String iface);

    /**
     * Installs whatever is missing on {@code iface}, idempotently.
     *
     * @return how many rules had to be added
     * @throws RuleException with one line naming what failed and how to fix it
     */
    int ensure(String iface);

    /** Deletes pmtud's rules for this group (whatever interface or networks they were made for); never anyone else's. */
    void remove();
}
