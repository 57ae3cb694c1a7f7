package dev.pmtud.sys.nftables;

/**
 * nf_tables netlink constants from {@code linux/netfilter/nf_tables.h},
 * {@code linux/netfilter/nfnetlink.h} and {@code linux/netfilter.h}. Attribute payloads are
 * big-endian (NLA_U32 values are {@code htonl}'d), except register contents, which are raw bytes.
 */
public final class NfTables {
    private NfTables() {
    }

    // ---- nfnetlink ----
    public static final int NFNL_SUBSYS_NFTABLES = 10;
    /** NLMSG_MIN_TYPE: opens a transaction; nfgenmsg.res_id = NFNL_SUBSYS_NFTABLES. */
    public static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    public static final int NFNL_MSG_BATCH_END = 0x11;
    /** Batch-begin attribute (be32): the transaction is refused with ERESTART when the ruleset changed since. */
    public static final int NFNL_BATCH_GENID = 1;
    /** Multicast group that carries every ruleset change (for notifications). */
    public static final int NFNLGRP_NFTABLES = 7;

    // ---- enum nf_tables_msg_types ----
    public static final int NFT_MSG_NEWTABLE = 0;
    public static final int NFT_MSG_GETTABLE = 1;
    public static final int NFT_MSG_DELTABLE = 2;
    public static final int NFT_MSG_NEWCHAIN = 3;
    public static final int NFT_MSG_GETCHAIN = 4;
    public static final int NFT_MSG_DELCHAIN = 5;
    public static final int NFT_MSG_NEWRULE = 6;
    public static final int NFT_MSG_GETRULE = 7;
    public static final int NFT_MSG_DELRULE = 8;
    /** Sent to notification listeners after every committed transaction (who committed it). */
    public static final int NFT_MSG_NEWGEN = 15;
    public static final int NFT_MSG_GETGEN = 16;

    // ---- address families (NFPROTO_*) ----
    public static final int NFPROTO_UNSPEC = 0;
    public static final int NFPROTO_INET = 1;
    public static final int NFPROTO_IPV4 = 2;
    public static final int NFPROTO_IPV6 = 10;

    // ---- hooks and priorities ----
    public static final int NF_INET_PRE_ROUTING = 0;
    public static final int NF_IP_PRI_RAW = -300;
    public static final int NF_IP_PRI_MANGLE = -150;
    public static final int NF_ACCEPT = 1;

    // ---- enum nft_table_attributes ----
    public static final int NFTA_TABLE_NAME = 1;
    public static final int NFTA_TABLE_FLAGS = 2;
    public static final int NFTA_TABLE_USE = 3;
    public static final int NFTA_TABLE_HANDLE = 4;
    public static final int NFTA_TABLE_USERDATA = 6;

    // ---- enum nft_chain_attributes ----
    public static final int NFTA_CHAIN_TABLE = 1;
    public static final int NFTA_CHAIN_HANDLE = 2;
    public static final int NFTA_CHAIN_NAME = 3;
    public static final int NFTA_CHAIN_HOOK = 4;
    public static final int NFTA_CHAIN_POLICY = 5;
    public static final int NFTA_CHAIN_USE = 6;
    public static final int NFTA_CHAIN_TYPE = 7;
    public static final int NFTA_CHAIN_USERDATA = 12;

    // ---- enum nft_hook_attributes ----
    public static final int NFTA_HOOK_HOOKNUM = 1;
    public static final int NFTA_HOOK_PRIORITY = 2;

    // ---- enum nft_rule_attributes ----
    public static final int NFTA_RULE_TABLE = 1;
    public static final int NFTA_RULE_CHAIN = 2;
    public static final int NFTA_RULE_HANDLE = 3;
    public static final int NFTA_RULE_EXPRESSIONS = 4;
    public static final int NFTA_RULE_USERDATA = 7;

    // ---- lists, expressions, data ----
    public static final int NFTA_LIST_ELEM = 1;
    public static final int NFTA_EXPR_NAME = 1;
    public static final int NFTA_EXPR_DATA = 2;
    public static final int NFTA_DATA_VALUE = 1;

    /** The 16-byte register nft itself uses ({@code reg 1} in {@code nft --debug=netlink}). */
    public static final int NFT_REG_1 = 1;

    // ---- meta ----
    public static final int NFTA_META_DREG = 1;
    public static final int NFTA_META_KEY = 2;
    public static final int NFT_META_IIFNAME = 6;
    public static final int NFT_META_NFPROTO = 15;
    public static final int NFT_META_L4PROTO = 16;

    // ---- cmp ----
    public static final int NFTA_CMP_SREG = 1;
    public static final int NFTA_CMP_OP = 2;
    public static final int NFTA_CMP_DATA = 3;
    public static final int NFT_CMP_EQ = 0;
    public static final int NFT_CMP_NEQ = 1;

    // ---- payload ----
    public static final int NFTA_PAYLOAD_DREG = 1;
    public static final int NFTA_PAYLOAD_BASE = 2;
    public static final int NFTA_PAYLOAD_OFFSET = 3;
    public static final int NFTA_PAYLOAD_LEN = 4;
    public static final int NFT_PAYLOAD_NETWORK_HEADER = 1;
    public static final int NFT_PAYLOAD_TRANSPORT_HEADER = 2;

    // ---- bitwise ----
    public static final int NFTA_BITWISE_SREG = 1;
    public static final int NFTA_BITWISE_DREG = 2;
    public static final int NFTA_BITWISE_LEN = 3;
    public static final int NFTA_BITWISE_MASK = 4;
    public static final int NFTA_BITWISE_XOR = 5;

    // ---- log ----
    public static final int NFTA_LOG_GROUP = 1;

    // ---- xt compat match (iptables-nft's -m comment: struct xt_comment_info { char comment[256]; }) ----
    public static final int NFTA_MATCH_NAME = 1;
    public static final int NFTA_MATCH_INFO = 3;

    // ---- xt compat target (iptables-nft's NFLOG target on older iptables) ----
    public static final int NFTA_TARGET_NAME = 1;
    public static final int NFTA_TARGET_INFO = 3;
    /** {@code struct xt_nflog_info { u32 len; u16 group; ... }}: the group's offset, host order. */
    public static final int XT_NFLOG_INFO_GROUP_OFFSET = 4;

    // ---- generation (enum nft_gen_attributes) ----
    public static final int NFTA_GEN_ID = 1;
    /** be32: the process that committed the transaction (in a notification). */
    public static final int NFTA_GEN_PROC_PID = 2;
    /** string: that process's name (comm). */
    public static final int NFTA_GEN_PROC_NAME = 3;

    /** nfnetlink message type of an nf_tables message. */
    public static int type(int msg) {
        return NFNL_SUBSYS_NFTABLES << 8 | msg;
    }

    /** How nft names a family: {@code ip}, {@code ip6}, {@code inet}. */
    public static String familyName(int family) {
        switch (family) {
            case NFPROTO_INET: return "inet";
            case NFPROTO_IPV4: return "ip";
            case NFPROTO_IPV6: return "ip6";
            default: return "family-" + family;
        }
    }
}
