package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;

import dev.pmtud.sys.netlink.AttributeReader;
import dev.pmtud.sys.netlink.NetlinkReader;

/**
 * A chain as the kernel reports it (NFT_MSG_NEWCHAIN).
 *
 * @param hook the hook number of a base chain, -1 for a regular chain
 * @param priority the base chain's priority (raw is -300)
 */
public record NftChain(int family, String table, String name, long handle, int hook, int priority, byte[] userdata) {

    public String comment() {
        return NftUserdata.comment(userdata);
    }

    public static NftChain parse(NetlinkReader r) {
        String table = null;
        String name = null;
        long handle = 0;
        int hook = -1;
        int priority = 0;
        byte[] userdata = null;
        AttributeReader a = NftTable.attributes(r);
        AttributeReader h = new AttributeReader();
        while (a.next()) {
            switch (a.type()) {
                case NFTA_CHAIN_TABLE -> table = a.string();
                case NFTA_CHAIN_NAME -> name = a.string();
                case NFTA_CHAIN_HANDLE -> handle = a.beU64();
                case NFTA_CHAIN_USERDATA -> userdata = NftTable.value(a);
                case NFTA_CHAIN_HOOK -> {
                    a.nested(h);
                    while (h.next()) {
                        if (h.type() == NFTA_HOOK_HOOKNUM) {
                            hook = h.beU32();
                        } else if (h.type() == NFTA_HOOK_PRIORITY) {
                            priority = h.beU32();
                        }
                    }
                }
                default -> { }
            }
        }
        return new NftChain(r.nfgenFamily(), table, name, handle, hook, priority, userdata);
    }

    @Override
    public String toString() {
        return "chain " + familyName(family) + " " + table + " " + name;
    }
}
