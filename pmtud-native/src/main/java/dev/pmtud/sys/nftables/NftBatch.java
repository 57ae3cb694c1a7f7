package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;

import dev.pmtud.sys.Linux;
import dev.pmtud.sys.netlink.Netlink;
import dev.pmtud.sys.netlink.NetlinkWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * One nf_tables transaction: messages between NFNL_MSG_BATCH_BEGIN and NFNL_MSG_BATCH_END, applied
 * by the kernel all or nothing. Every message asks for an ACK and is remembered with a description
 * ({@code "add rule inet pmtud capture-33"}) so that a refusal names the operation. Committed with
 * {@link NftClient#commit}.
 */
public final class NftBatch {
    /** A message of the batch: its sequence number and what it does. */
    public record Operation(int seq, String description) {
    }

    private static final int CREATE = Netlink.NLM_F_REQUEST | Netlink.NLM_F_CREATE | Netlink.NLM_F_ACK;
    private static final int DELETE = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;

    private final IntSupplier seqs;
    private final NetlinkWriter body = new NetlinkWriter(4096);
    private final List<Operation> operations = new ArrayList<>();

    /** @param seqs gives each message its sequence number (e.g. the socket's {@code nextSeq}) */
    public NftBatch(IntSupplier seqs) {
        this.seqs = seqs;
    }

    private int begin(int msg, int flags, int family, String description) {
        int seq = seqs.getAsInt();
        body.begin(type(msg), flags, seq).nfgenmsg(family, Netlink.NFNETLINK_V0, 0);
        operations.add(new Operation(seq, description));
        return seq;
    }

    /** {@code add table FAMILY NAME} with user data (a table that exists already is left as it is). */
    public NftBatch addTable(int family, String name, byte[] userdata) {
        begin(NFT_MSG_NEWTABLE, CREATE, family, "add table " + familyName(family) + " " + name);
        body.attrString(NFTA_TABLE_NAME, name).attrBe32(NFTA_TABLE_FLAGS, 0);
        if (userdata != null) {
            body.attr(NFTA_TABLE_USERDATA, userdata);
        }
        body.end();
        return this;
    }

    /** {@code add chain FAMILY TABLE NAME { type filter hook HOOK priority PRIORITY; policy accept; }}. */
    public NftBatch addBaseChain(int family, String table, String name, int hook, int priority, byte[] userdata) {
        begin(NFT_MSG_NEWCHAIN, CREATE, family, "add chain " + familyName(family) + " " + table + " " + name);
        body.attrString(NFTA_CHAIN_TABLE, table).attrString(NFTA_CHAIN_NAME, name)
                .attrString(NFTA_CHAIN_TYPE, "filter").attrBe32(NFTA_CHAIN_POLICY, NF_ACCEPT);
        int h = body.beginNested(NFTA_CHAIN_HOOK);
        body.attrBe32(NFTA_HOOK_HOOKNUM, hook).attrBe32(NFTA_HOOK_PRIORITY, priority);
        body.endNested(h);
        if (userdata != null) {
            body.attr(NFTA_CHAIN_USERDATA, userdata);
        }
        body.end();
        return this;
    }

    /** {@code add rule FAMILY TABLE CHAIN RULE} (appended). */
    public NftBatch addRule(int family, String table, String chain, NftRule rule) {
        begin(NFT_MSG_NEWRULE, CREATE | Netlink.NLM_F_APPEND, family,
                "add rule " + familyName(family) + " " + table + " " + chain + " " + rule.text());
        body.attrString(NFTA_RULE_TABLE, table).attrString(NFTA_RULE_CHAIN, chain);
        int e = body.beginNested(NFTA_RULE_EXPRESSIONS);
        rule.writeExpressions(body);
        body.endNested(e);
        byte[] userdata = rule.userdata();
        if (userdata != null) {
            body.attr(NFTA_RULE_USERDATA, userdata);
        }
        body.end();
        return this;
    }

    /** {@code delete rule FAMILY TABLE CHAIN handle H}. */
    public NftBatch deleteRule(int family, String table, String chain, long handle) {
        begin(NFT_MSG_DELRULE, DELETE, family, "delete rule " + familyName(family) + " " + table + " " + chain + " handle " + handle);
        body.attrString(NFTA_RULE_TABLE, table).attrString(NFTA_RULE_CHAIN, chain).attrBe64(NFTA_RULE_HANDLE, handle).end();
        return this;
    }

    /** {@code delete chain FAMILY TABLE NAME}: the chain and every rule in it. */
    public NftBatch deleteChain(int family, String table, String name) {
        begin(NFT_MSG_DELCHAIN, DELETE, family, "delete chain " + familyName(family) + " " + table + " " + name);
        body.attrString(NFTA_CHAIN_TABLE, table).attrString(NFTA_CHAIN_NAME, name).end();
        return this;
    }

    /** {@code delete table FAMILY NAME}: the table and everything in it. */
    public NftBatch deleteTable(int family, String name) {
        begin(NFT_MSG_DELTABLE, DELETE, family, "delete table " + familyName(family) + " " + name);
        body.attrString(NFTA_TABLE_NAME, name).end();
        return this;
    }

    public boolean isEmpty() {
        return operations.isEmpty();
    }

    public List<Operation> operations() {
        return List.copyOf(operations);
    }

    /** The messages alone, without the batch's begin and end (for tests against nft's own). */
    public byte[] messages() {
        return body.toByteArray();
    }

    /**
     * The datagram: BATCH_BEGIN (with {@code genid} when not null: the kernel then refuses the whole
     * transaction with ERESTART if the ruleset changed since that generation), the messages,
     * BATCH_END.
     *
     * @param beginSeq sequence number of BATCH_BEGIN (errors about the whole batch carry it)
     */
    public byte[] datagram(int beginSeq, Integer genid) {
        NetlinkWriter w = new NetlinkWriter(body.length() + 64);
        w.begin(NFNL_MSG_BATCH_BEGIN, Netlink.NLM_F_REQUEST, beginSeq).nfgenmsg(Linux.AF_UNSPEC, Netlink.NFNETLINK_V0, NFNL_SUBSYS_NFTABLES);
        if (genid != null) {
            w.attrBe32(NFNL_BATCH_GENID, genid);
        }
        w.end();
        byte[] out = new byte[w.length() + body.length() + 20];
        System.arraycopy(w.array(), 0, out, 0, w.length());
        System.arraycopy(body.array(), 0, out, w.length(), body.length());
        NetlinkWriter end = new NetlinkWriter(32);
        end.begin(NFNL_MSG_BATCH_END, Netlink.NLM_F_REQUEST, beginSeq).nfgenmsg(Linux.AF_UNSPEC, Netlink.NFNETLINK_V0, NFNL_SUBSYS_NFTABLES).end();
        System.arraycopy(end.array(), 0, out, w.length() + body.length(), end.length());
        return out;
    }
}
