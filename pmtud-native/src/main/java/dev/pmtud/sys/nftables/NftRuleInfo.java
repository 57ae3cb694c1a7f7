package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;

import dev.pmtud.sys.netlink.AttributeReader;
import dev.pmtud.sys.netlink.Bytes;
import dev.pmtud.sys.netlink.NetlinkReader;
import java.util.ArrayList;
import java.util.List;

/**
 * A rule as the kernel reports it (NFT_MSG_NEWRULE in a dump, NEWRULE/DELRULE in a notification),
 * reduced to what pmtud asks of foreign and own rules: where it is, its handle, its comment, and the
 * NFLOG groups it logs to ({@code log group G}, or iptables-nft's xt {@code NFLOG} target).
 *
 * @param matchComment the text of an xt {@code comment} match: iptables-nft keeps
 *                     {@code -m comment --comment X} there rather than in the user data; or null
 */
public record NftRuleInfo(int family, String table, String chain, long handle, byte[] userdata, List<Integer> nflogGroups,
                          String matchComment) {

    /** The comment nft shows (the user data), else an iptables-nft {@code -m comment}; null when neither. */
    public String comment() {
        String c = NftUserdata.comment(userdata);
        return c != null ? c : matchComment;
    }

    public static NftRuleInfo parse(NetlinkReader r) {
        String table = null;
        String chain = null;
        long handle = 0;
        byte[] userdata = null;
        List<Integer> groups = new ArrayList<>();
        String[] matchComment = {null};
        AttributeReader a = NftTable.attributes(r);
        while (a.next()) {
            switch (a.type()) {
                case NFTA_RULE_TABLE -> table = a.string();
                case NFTA_RULE_CHAIN -> chain = a.string();
                case NFTA_RULE_HANDLE -> handle = a.beU64();
                case NFTA_RULE_USERDATA -> userdata = NftTable.value(a);
                case NFTA_RULE_EXPRESSIONS -> expressions(a, groups, matchComment);
                default -> { }
            }
        }
        return new NftRuleInfo(r.nfgenFamily(), table, chain, handle, userdata, List.copyOf(groups), matchComment[0]);
    }

    /** The NFLOG groups into {@code out}, the text of an xt comment match into {@code comment[0]}. */
    private static void expressions(AttributeReader expressions, List<Integer> out, String[] comment) {
        AttributeReader elem = new AttributeReader();
        AttributeReader attrs = new AttributeReader();
        AttributeReader data = new AttributeReader();
        expressions.nested(elem);
        while (elem.next()) {
            String name = null;
            elem.nested(attrs);
            while (attrs.next()) {
                if (attrs.type() == NFTA_EXPR_NAME) {
                    name = attrs.string();
                } else if (attrs.type() == NFTA_EXPR_DATA && name != null) {
                    attrs.nested(data);
                    boolean nflogTarget = false;
                    boolean commentMatch = false;
                    while (data.next()) {
                        if (name.equals("log") && data.type() == NFTA_LOG_GROUP && data.valueLength() >= 2) {
                            out.add(data.beU16());
                        } else if (name.equals("target") && data.type() == NFTA_TARGET_NAME) {
                            nflogTarget = data.string().equals("NFLOG");
                        } else if (name.equals("target") && nflogTarget && data.type() == NFTA_TARGET_INFO
                                && data.valueLength() >= XT_NFLOG_INFO_GROUP_OFFSET + 2) {
                            out.add(Bytes.hostU16(data.buffer(), data.valueOffset() + XT_NFLOG_INFO_GROUP_OFFSET));
                        } else if (name.equals("match") && data.type() == NFTA_MATCH_NAME) {
                            commentMatch = data.string().equals("comment");
                        } else if (name.equals("match") && commentMatch && data.type() == NFTA_MATCH_INFO && comment[0] == null) {
                            comment[0] = data.string(); // char comment[256], NUL-padded
                        }
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "rule " + familyName(family) + " " + table + " " + chain + " handle " + handle;
    }
}
