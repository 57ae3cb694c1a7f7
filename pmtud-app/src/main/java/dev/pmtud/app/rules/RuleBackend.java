package dev.pmtud.app.rules;

import dev.pmtud.sys.nftables.NftChange;
import java.util.List;

/**
 * How the capture rule is written into the kernel: {@link IptablesBackend} (iptables/ip6tables
 * commands) or {@link NftablesBackend} (an nftables table of pmtud's own, over netlink). The
 * policy around it (which interface, when to ensure, the watch, removal at stop) is
 * {@link RuleManager}'s. Every rule a backend writes carries its {@link RuleOwner}.
 * Implementations are thread-safe as far as RuleManager needs: it serialises calls.
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
     * @param takeOver the caller holds the rule's NFLOG group, so every pmtud rule for the group is
     *                 its own to keep: rules another owner left are replaced by this owner's (at
     *                 once, where the backend can); without, any pmtud rule that is the wanted one
     *                 counts as present, whoever added it ({@code pmtud rules ensure})
     * @throws RuleException with one line naming what failed and how to fix it
     */
    Ensured ensure(String iface, boolean takeOver);

    /**
     * Deletes pmtud's rules for this group (whatever interface or networks they were made for),
     * never anyone else's: with {@code everyOwner} those of every pmtud run ({@code pmtud rules
     * remove}), else only this owner's.
     */
    void remove(boolean everyOwner);

    /** Whether the rules are nf_tables objects, whose changes the kernel announces (not iptables-legacy's). */
    boolean notified();

    /**
     * Whether an nf_tables change may have deleted this backend's rules, or changed whether another
     * capture covers a family: worth checking now rather than at the next poll.
     */
    boolean concerns(NftChange change);
}
