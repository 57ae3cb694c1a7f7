package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pmtud.sys.netlink.Bytes;
import dev.pmtud.sys.netlink.Netlink;
import dev.pmtud.sys.netlink.NetlinkReader;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The nf_tables messages pmtud sends, byte for byte against what nft 1.0.6 sends for the same
 * ruleset (src/test/resources/nftables/*.mnl, printed by {@code nft --debug=mnl}; the nft input is
 * at the top of each file).
 */
class NftEncodingTest {

    @BeforeAll
    static void littleEndianHost() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the fixtures were printed on a little-endian host");
    }

    private static byte[] ip(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    private static NftBatch batch() {
        AtomicInteger seq = new AtomicInteger(100);
        return new NftBatch(seq::incrementAndGet);
    }

    /** The batch's messages as (type, payload) pairs, read back with the netlink codec. */
    private static List<MnlDump.Message> messages(NftBatch b) {
        byte[] all = b.messages();
        NetlinkReader r = new NetlinkReader().reset(all, 0, all.length);
        List<MnlDump.Message> out = new ArrayList<>();
        while (r.next()) {
            out.add(new MnlDump.Message(r.type(), java.util.Arrays.copyOfRange(all, r.payloadOffset(), r.payloadOffset() + r.payloadLength())));
        }
        return out;
    }

    private static void assertSameMessages(List<MnlDump.Message> nft, List<MnlDump.Message> ours) {
        assertEquals(nft.size(), ours.size(), "message count");
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < nft.size(); i++) {
            assertEquals(nft.get(i).type(), ours.get(i).type(), "type of message " + i);
            assertEquals(hex.formatHex(nft.get(i).payload()), hex.formatHex(ours.get(i).payload()), "payload of message " + i);
        }
    }

    @Test
    void tableChainAndIpv4RuleAreWhatNftSends() throws Exception {
        NftRule rule = NftRule.builder().iifname("eth0").icmp(3, 4)
                .sourceNotIn(ip("192.0.2.0"), 24).sourceNotIn(ip("198.51.100.0"), 25)
                .logGroup(33).build().withComment("pmtud");
        NftBatch b = batch()
                .addTable(NFPROTO_INET, "pmtud", NftUserdata.comment("pmtud"))
                .addBaseChain(NFPROTO_INET, "pmtud", "capture-33", NF_INET_PRE_ROUTING, NF_IP_PRI_RAW, NftUserdata.comment("pmtud"))
                .addRule(NFPROTO_INET, "pmtud", "capture-33", rule);
        assertSameMessages(MnlDump.batchMessages("add-table-chain-rule-ipv4.mnl"), messages(b));
        assertEquals("iifname \"eth0\" icmp type destination-unreachable icmp code frag-needed ip saddr != 192.0.2.0/24 "
                + "ip saddr != 198.51.100.0/25 log group 33 comment \"pmtud\"", rule.text(), "as nft list prints it");
        assertEquals(NFPROTO_IPV4, rule.family());
    }

    @Test
    void ipv6RuleIsWhatNftSends() throws Exception {
        NftRule rule = NftRule.builder().iifname("bond0.7").icmpv6(2, 0)
                .sourceNotIn(ip("2001:db8:ee::"), 48).sourceNotIn(ip("2001:db8:1234::"), 44)
                .logGroup(33).build().withComment("pmtud");
        NftBatch b = batch().addRule(NFPROTO_INET, "pmtud", "capture-33", rule);
        assertSameMessages(MnlDump.batchMessages("add-rule-ipv6.mnl"), messages(b));
        assertEquals("iifname \"bond0.7\" icmpv6 type packet-too-big icmpv6 code no-route ip6 saddr != 2001:db8:ee::/48 "
                + "ip6 saddr != 2001:db8:1230::/44 log group 33 comment \"pmtud\"", rule.text(), "host bits dropped as nft does");
    }

    @Test
    void deletionsAreWhatNftSends() throws Exception {
        List<MnlDump.Message> nft = MnlDump.batchMessages("delete-rule-chain-table.mnl");
        long handle = Bytes.beLong(nft.get(0).payload(), nft.get(0).payload().length - 8); // the handle nft was given
        NftBatch b = batch().deleteRule(NFPROTO_INET, "pmtud", "capture-33", handle)
                .deleteChain(NFPROTO_INET, "pmtud", "capture-33")
                .deleteTable(NFPROTO_INET, "pmtud");
        assertSameMessages(nft, messages(b));
        assertEquals(List.of("delete rule inet pmtud capture-33 handle " + handle, "delete chain inet pmtud capture-33", "delete table inet pmtud"),
                b.operations().stream().map(NftBatch.Operation::description).toList());
    }

    @Test
    void batchIsFramedByBeginAndEndWithGenerationAndAcksAsked() {
        NftBatch b = batch().deleteTable(NFPROTO_INET, "pmtud");
        byte[] d = b.datagram(7, 0x01020304);
        NetlinkReader r = new NetlinkReader().reset(d, 0, d.length);
        // BATCH_BEGIN: nfgenmsg AF_UNSPEC, v0, res_id NFNL_SUBSYS_NFTABLES big-endian; NFNL_BATCH_GENID be32
        r.next();
        assertEquals(NFNL_MSG_BATCH_BEGIN, r.type());
        assertEquals(7, r.seq());
        assertEquals("0000000a" + "08000100" + "01020304", HexFormat.of().formatHex(d, r.payloadOffset(), r.payloadOffset() + r.payloadLength()));
        r.next();
        assertEquals(type(NFT_MSG_DELTABLE), r.type());
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, r.flags());
        assertEquals(b.operations().get(0).seq(), r.seq());
        r.next();
        assertEquals(NFNL_MSG_BATCH_END, r.type());
        assertEquals("0000000a", HexFormat.of().formatHex(d, r.payloadOffset(), r.payloadOffset() + r.payloadLength()));
        assertEquals(false, r.next());
    }

    @Test
    void createsAskForCreateAndRulesAreAppended() {
        NftBatch b = batch().addTable(NFPROTO_INET, "t", null)
                .addRule(NFPROTO_INET, "t", "c", NftRule.builder().logGroup(1).build());
        byte[] all = b.messages();
        NetlinkReader r = new NetlinkReader().reset(all, 0, all.length);
        r.next();
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE, r.flags(), "no EXCL: an existing table is fine");
        r.next();
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_APPEND, r.flags());
    }

    @Test
    void commentUserdataIsLibnftnlsTlv() {
        // struct nftnl_udata { u8 type (0: comment); u8 len (with the NUL); value }
        assertArrayEquals(new byte[] {0, 6, 'p', 'm', 't', 'u', 'd', 0}, NftUserdata.comment("pmtud"));
        assertEquals("pmtud", NftUserdata.comment(new byte[] {0, 6, 'p', 'm', 't', 'u', 'd', 0}));
        assertEquals("x", NftUserdata.comment(new byte[] {1, 2, 9, 9, 0, 2, 'x', 0}), "other TLVs are skipped");
        assertNull(NftUserdata.comment(new byte[] {0, 9, 'x'}), "a TLV running past the end is no comment");
        assertThrows(IllegalArgumentException.class, () -> NftUserdata.comment("x".repeat(128)));
    }

    @Test
    void fingerprintFollowsTheExpressionsOnly() throws Exception {
        NftRule a = NftRule.builder().iifname("eth0").icmp(3, 4).logGroup(33).build();
        NftRule b = NftRule.builder().iifname("eth1").icmp(3, 4).logGroup(33).build();
        assertEquals(a.fingerprint(), a.withComment("anything").fingerprint());
        assertNotEquals(a.fingerprint(), b.fingerprint());
        assertEquals(8, a.fingerprint().length());
    }

    @Test
    void mistakesAreRefused() throws Exception {
        assertThrows(IllegalStateException.class, () -> NftRule.builder().sourceNotIn(ip("192.0.2.0"), 24),
                "a source address needs its family matched first");
        assertThrows(IllegalStateException.class, () -> NftRule.builder().icmp(3, 4).sourceNotIn(ip("2001:db8::"), 32));
        assertThrows(IllegalArgumentException.class, () -> NftRule.builder().iifname("a-name-longer-than-15"));
        assertThrows(IllegalArgumentException.class, () -> NftRule.builder().logGroup(65536));
    }

    @Test
    void ipv6NetworksPrintCompressed() {
        assertEquals("2001:db8::1:0:0:1/128", AddressText.network(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, 128));
        assertEquals("::/0", AddressText.network(new byte[16], 0));
        assertEquals("2001:db8:0:1::/64", AddressText.network(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9}, 64));
    }
}
