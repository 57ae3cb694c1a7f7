package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;

import dev.pmtud.sys.netlink.AttributeReader;
import dev.pmtud.sys.netlink.Netlink;
import dev.pmtud.sys.netlink.NetlinkReader;
import java.util.Arrays;

/**
 * A table as the kernel reports it (NFT_MSG_NEWTABLE, in a get/dump answer or a notification).
 *
 * @param use how many chains, sets and objects it holds
 */
public record NftTable(int family, String name, long handle, int flags, int use, byte[] userdata) {

    /** The comment nft shows, or null. */
    public String comment() {
        return NftUserdata.comment(userdata);
    }

    /** Reads the message {@code r} is positioned on. */
    public static NftTable parse(NetlinkReader r) {
        String name = null;
        long handle = 0;
        int flags = 0;
        int use = 0;
        byte[] userdata = null;
        AttributeReader a = attributes(r);
        while (a.next()) {
            switch (a.type()) {
                case NFTA_TABLE_NAME -> name = a.string();
                case NFTA_TABLE_HANDLE -> handle = a.beU64();
                case NFTA_TABLE_FLAGS -> flags = a.beU32();
                case NFTA_TABLE_USE -> use = a.beU32();
                case NFTA_TABLE_USERDATA -> userdata = value(a);
                default -> { }
            }
        }
        return new NftTable(r.nfgenFamily(), name, handle, flags, use, userdata);
    }

    static AttributeReader attributes(NetlinkReader r) {
        return new AttributeReader().reset(r.buffer(), r.payloadOffset() + Netlink.NFGENMSG_LEN, r.payloadLength() - Netlink.NFGENMSG_LEN);
    }

    static byte[] value(AttributeReader a) {
        return Arrays.copyOfRange(a.buffer(), a.valueOffset(), a.valueOffset() + a.valueLength());
    }

    @Override
    public String toString() {
        return "table " + familyName(family) + " " + name;
    }
}
