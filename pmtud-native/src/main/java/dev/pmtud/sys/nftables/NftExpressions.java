package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;

import dev.pmtud.sys.netlink.NetlinkWriter;

/**
 * Writes the nf_tables expressions pmtud uses, each as one {@code NFTA_LIST_ELEM} of a rule's
 * {@code NFTA_RULE_EXPRESSIONS}: {@code { NFTA_EXPR_NAME "meta", NFTA_EXPR_DATA { ... } }}. The
 * attribute order is the one nft sends (see {@code nft --debug=mnl}), so that a rule written here
 * is byte for byte the rule nft would write.
 */
final class NftExpressions {
    private NftExpressions() {
    }

    private static int open(NetlinkWriter w, String name) {
        int elem = w.beginNested(NFTA_LIST_ELEM);
        w.attrString(NFTA_EXPR_NAME, name);
        return elem;
    }

    /** {@code [ meta load KEY => reg DREG ]} (nft_meta.c). */
    static void meta(NetlinkWriter w, int key, int dreg) {
        int elem = open(w, "meta");
        int data = w.beginNested(NFTA_EXPR_DATA);
        w.attrBe32(NFTA_META_KEY, key);
        w.attrBe32(NFTA_META_DREG, dreg);
        w.endNested(data);
        w.endNested(elem);
    }

    /** {@code [ cmp OP reg SREG VALUE ]} (nft_cmp.c); {@code value} is compared as raw bytes. */
    static void cmp(NetlinkWriter w, int sreg, int op, byte[] value) {
        int elem = open(w, "cmp");
        int data = w.beginNested(NFTA_EXPR_DATA);
        w.attrBe32(NFTA_CMP_SREG, sreg);
        w.attrBe32(NFTA_CMP_OP, op);
        int d = w.beginNested(NFTA_CMP_DATA);
        w.attr(NFTA_DATA_VALUE, value);
        w.endNested(d);
        w.endNested(data);
        w.endNested(elem);
    }

    /** {@code [ payload load LEN b @ BASE header + OFFSET => reg DREG ]} (nft_payload.c). */
    static void payload(NetlinkWriter w, int base, int offset, int length, int dreg) {
        int elem = open(w, "payload");
        int data = w.beginNested(NFTA_EXPR_DATA);
        w.attrBe32(NFTA_PAYLOAD_DREG, dreg);
        w.attrBe32(NFTA_PAYLOAD_BASE, base);
        w.attrBe32(NFTA_PAYLOAD_OFFSET, offset);
        w.attrBe32(NFTA_PAYLOAD_LEN, length);
        w.endNested(data);
        w.endNested(elem);
    }

    /** {@code [ bitwise reg DREG = ( reg SREG & MASK ) ^ XOR ]} (nft_bitwise.c, the mask-and-xor form). */
    static void bitwise(NetlinkWriter w, int sreg, int dreg, byte[] mask, byte[] xor) {
        int elem = open(w, "bitwise");
        int data = w.beginNested(NFTA_EXPR_DATA);
        w.attrBe32(NFTA_BITWISE_SREG, sreg);
        w.attrBe32(NFTA_BITWISE_DREG, dreg);
        w.attrBe32(NFTA_BITWISE_LEN, mask.length);
        int m = w.beginNested(NFTA_BITWISE_MASK);
        w.attr(NFTA_DATA_VALUE, mask);
        w.endNested(m);
        int x = w.beginNested(NFTA_BITWISE_XOR);
        w.attr(NFTA_DATA_VALUE, xor);
        w.endNested(x);
        w.endNested(data);
        w.endNested(elem);
    }

    /** {@code [ log group G ]} (nft_log.c): the packet to NFLOG group G, as {@code -j NFLOG} does. */
    static void log(NetlinkWriter w, int group) {
        int elem = open(w, "log");
        int data = w.beginNested(NFTA_EXPR_DATA);
        w.attrBe16(NFTA_LOG_GROUP, group);
        w.endNested(data);
        w.endNested(elem);
    }
}
