package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;

import dev.pmtud.sys.netlink.AttributeReader;
import dev.pmtud.sys.netlink.NetlinkReader;

/**
 * One nf_tables notification ({@link NftMonitor}): a table, chain or rule added or deleted, or the
 * end of a transaction ({@link Kind#GENERATION}, which says which process committed it). The kernel
 * sends one message per object: deleting a table announces each rule, each chain, then the table;
 * {@code nft flush ruleset} does so for every table. iptables-nft's changes arrive the same way.
 *
 * @param table   the table's name (for every kind but {@code GENERATION})
 * @param chain   the chain's name, for chain and rule changes
 * @param rule    the rule as {@link NftRuleInfo} reads it (comment, NFLOG groups), for rule changes
 * @param process for {@code GENERATION}: the committing process as the kernel names it,
 *                {@code "27182 (nft)"}; else null
 */
public record NftChange(Kind kind, int family, String table, String chain, NftRuleInfo rule, int generation, String process) {

    /** What changed, in the words of {@code nft monitor}. */
    public enum Kind {
        ADD_TABLE("add table"), DELETE_TABLE("delete table"), ADD_CHAIN("add chain"), DELETE_CHAIN("delete chain"),
        ADD_RULE("add rule"), DELETE_RULE("delete rule"), GENERATION("new generation");

        private final String words;

        Kind(String words) {
            this.words = words;
        }
    }

    public boolean deletion() {
        return kind == Kind.DELETE_TABLE || kind == Kind.DELETE_CHAIN || kind == Kind.DELETE_RULE;
    }

    /**
     * The change the message {@code r} is positioned on, or null when it is none of the kinds above
     * (sets, elements, objects, flowtables) or not an nf_tables message.
     */
    public static NftChange parse(NetlinkReader r) {
        if (r.nfnlSubsys() != NFNL_SUBSYS_NFTABLES || r.payloadLength() < 4) {
            return null;
        }
        switch (r.nfnlMsg()) {
            case NFT_MSG_NEWTABLE, NFT_MSG_DELTABLE -> {
                NftTable t = NftTable.parse(r);
                Kind k = r.nfnlMsg() == NFT_MSG_NEWTABLE ? Kind.ADD_TABLE : Kind.DELETE_TABLE;
                return new NftChange(k, t.family(), t.name(), null, null, 0, null);
            }
            case NFT_MSG_NEWCHAIN, NFT_MSG_DELCHAIN -> {
                NftChain c = NftChain.parse(r);
                Kind k = r.nfnlMsg() == NFT_MSG_NEWCHAIN ? Kind.ADD_CHAIN : Kind.DELETE_CHAIN;
                return new NftChange(k, c.family(), c.table(), c.name(), null, 0, null);
            }
            case NFT_MSG_NEWRULE, NFT_MSG_DELRULE -> {
                NftRuleInfo rule = NftRuleInfo.parse(r);
                Kind k = r.nfnlMsg() == NFT_MSG_NEWRULE ? Kind.ADD_RULE : Kind.DELETE_RULE;
                return new NftChange(k, rule.family(), rule.table(), rule.chain(), rule, 0, null);
            }
            case NFT_MSG_NEWGEN -> {
                return generation(r);
            }
            default -> {
                return null;
            }
        }
    }

    private static NftChange generation(NetlinkReader r) {
        int id = 0;
        int pid = 0;
        String name = null;
        AttributeReader a = NftTable.attributes(r);
        while (a.next()) {
            switch (a.type()) {
                case NFTA_GEN_ID -> id = a.beU32();
                case NFTA_GEN_PROC_PID -> pid = a.beU32();
                case NFTA_GEN_PROC_NAME -> name = a.string();
                default -> { }
            }
        }
        String process = pid == 0 && name == null ? null : Integer.toUnsignedString(pid) + " (" + (name == null ? "?" : name) + ")";
        return new NftChange(Kind.GENERATION, r.nfgenFamily(), null, null, null, id, process);
    }

    /** As {@code nft monitor} prints it: {@code delete rule inet pmtud capture-33 handle 4}, {@code new generation 7 by process 27185 (nft)}. */
    @Override
    public String toString() {
        return switch (kind) {
            case GENERATION -> kind.words + " " + Integer.toUnsignedString(generation) + (process == null ? "" : " by process " + process);
            case ADD_TABLE, DELETE_TABLE -> kind.words + " " + familyName(family) + " " + table;
            case ADD_CHAIN, DELETE_CHAIN -> kind.words + " " + familyName(family) + " " + table + " " + chain;
            case ADD_RULE, DELETE_RULE -> kind.words + " " + familyName(family) + " " + table + " " + chain + " handle " + rule.handle();
        };
    }
}
