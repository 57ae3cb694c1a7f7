package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.sys.netlink.Bytes;
import dev.pmtud.sys.netlink.Netlink;
import dev.pmtud.sys.netlink.NetlinkReader;
import dev.pmtud.sys.netlink.NetlinkWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Notification messages as the kernel lays them out (nf_tables_fill_rule_info, _fill_gen_info),
 * read back into {@link NftChange}s. The real kernel's are read in pmtud-app's netns tests.
 */
class NftChangeTest {

    /** iptables-nft's {@code -m comment --comment TEXT -j NFLOG --nflog-group G}, as deleted. */
    private static void iptablesRule(NetlinkWriter w, String text, int group) {
        w.begin(type(NFT_MSG_DELRULE), 0, 0).nfgenmsg(NFPROTO_IPV4, Netlink.NFNETLINK_V0, 0);
        w.attrString(NFTA_RULE_TABLE, "raw").attrString(NFTA_RULE_CHAIN, "PREROUTING").attrBe64(NFTA_RULE_HANDLE, 7);
        int exprs = w.beginNested(NFTA_RULE_EXPRESSIONS);
        int elem = w.beginNested(NFTA_LIST_ELEM);
        w.attrString(NFTA_EXPR_NAME, "match");
        int data = w.beginNested(NFTA_EXPR_DATA);
        byte[] info = new byte[256]; // struct xt_comment_info
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, info, 0, t.length);
        w.attrString(NFTA_MATCH_NAME, "comment").attr(NFTA_MATCH_INFO, info);
        w.endNested(data).endNested(elem);
        elem = w.beginNested(NFTA_LIST_ELEM);
        w.attrString(NFTA_EXPR_NAME, "target");
        data = w.beginNested(NFTA_EXPR_DATA);
        byte[] nflog = new byte[XT_NFLOG_INFO_GROUP_OFFSET + 4]; // struct xt_nflog_info, host order
        Bytes.putHostU16(nflog, XT_NFLOG_INFO_GROUP_OFFSET, group);
        w.attrString(NFTA_TARGET_NAME, "NFLOG").attr(NFTA_TARGET_INFO, nflog);
        w.endNested(data).endNested(elem).endNested(exprs);
        w.end();
    }

    private static List<NftChange> parse(NetlinkWriter w) {
        NetlinkReader r = new NetlinkReader().reset(w.array(), 0, w.length());
        List<NftChange> out = new ArrayList<>();
        while (r.next()) {
            NftChange c = NftChange.parse(r);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    @Test
    void aDeletedIptablesNftRuleCarriesItsCommentAndGroupAndTheGenerationWhoDeletedIt() {
        NetlinkWriter w = new NetlinkWriter();
        iptablesRule(w, "pmtud 4711-0badcafe", 33);
        w.begin(type(NFT_MSG_DELTABLE), 0, 0).nfgenmsg(NFPROTO_IPV4, Netlink.NFNETLINK_V0, 0).attrString(NFTA_TABLE_NAME, "raw").end();
        w.begin(type(NFT_MSG_NEWGEN), 0, 0).nfgenmsg(NFPROTO_UNSPEC, Netlink.NFNETLINK_V0, 0)
                .attrBe32(NFTA_GEN_ID, 9).attrBe32(NFTA_GEN_PROC_PID, 27185).attrString(NFTA_GEN_PROC_NAME, "iptables").end();
        // a set element change: not one of the kinds, skipped
        w.begin(type(12), 0, 0).nfgenmsg(NFPROTO_INET, Netlink.NFNETLINK_V0, 0).end();

        List<NftChange> changes = parse(w);
        assertEquals(3, changes.size(), changes.toString());
        NftChange rule = changes.get(0);
        assertEquals(NftChange.Kind.DELETE_RULE, rule.kind());
        assertTrue(rule.deletion());
        assertEquals("pmtud 4711-0badcafe", rule.rule().comment(), "the xt comment match, NUL padding cut");
        assertNull(rule.rule().userdata());
        assertEquals(List.of(33), rule.rule().nflogGroups());
        assertEquals("delete rule ip raw PREROUTING handle 7", rule.toString());
        assertEquals("delete table ip raw", changes.get(1).toString());
        NftChange gen = changes.get(2);
        assertFalse(gen.deletion());
        assertEquals("new generation 9 by process 27185 (iptables)", gen.toString());
    }

    @Test
    void theUserDataCommentWinsOverAMatchComment() {
        NetlinkWriter w = new NetlinkWriter();
        w.begin(type(NFT_MSG_NEWRULE), 0, 0).nfgenmsg(NFPROTO_INET, Netlink.NFNETLINK_V0, 0);
        w.attrString(NFTA_RULE_TABLE, "pmtud").attrString(NFTA_RULE_CHAIN, "capture-33").attrBe64(NFTA_RULE_HANDLE, 3);
        w.attr(NFTA_RULE_USERDATA, NftUserdata.comment("pmtud 1a2b3c4d 1-00000001"));
        w.end();
        NftChange c = parse(w).get(0);
        assertEquals("add rule inet pmtud capture-33 handle 3", c.toString());
        assertEquals("pmtud 1a2b3c4d 1-00000001", c.rule().comment());
        assertNull(c.rule().matchComment());
    }
}
