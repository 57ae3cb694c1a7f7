package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;

import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.AttributeReader;
import dev.pmtud.sys.netlink.Netlink;
import dev.pmtud.sys.netlink.NetlinkReader;
import dev.pmtud.sys.netlink.NetlinkSocket;
import dev.pmtud.sys.netlink.NetlinkWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * nf_tables over a NETLINK_NETFILTER socket: reads tables, chains and rules, and commits
 * {@link NftBatch} transactions, checking the ACK of every message. Failures are
 * {@link NativeException}s whose one-line message names the operation and the errno
 * ({@code "add table inet pmtud: EPERM (Operation not permitted)"}). Not thread-safe.
 */
public final class NftClient implements AutoCloseable {
    /** What {@link #probe} found. */
    public enum Support { AVAILABLE, ABSENT, NOT_PERMITTED }

    private static final int ANSWER_TIMEOUT_MILLIS = 5000;

    private final NetlinkSocket socket;

    private NftClient(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a socket in the calling thread's network namespace. */
    public static NftClient open() throws NativeException {
        return new NftClient(NetlinkSocket.open(Linux.NETLINK_NETFILTER, 256 * 1024));
    }

    /**
     * Whether this kernel has nf_tables: asks for the ruleset generation. EINVAL/EOPNOTSUPP (no
     * nf_tables subsystem, not even as a module) or no NETLINK_NETFILTER at all means absent;
     * EPERM means the caller lacks CAP_NET_ADMIN and cannot tell.
     */
    public static Support probe() {
        try (NftClient c = open()) {
            c.generation();
            return Support.AVAILABLE;
        } catch (NativeException e) {
            return e.errno() == Errno.EPERM || e.errno() == Errno.EACCES ? Support.NOT_PERMITTED : Support.ABSENT;
        }
    }

    private NetlinkWriter request(int msg, int flags, int family) {
        NetlinkWriter w = new NetlinkWriter(256);
        w.begin(type(msg), Netlink.NLM_F_REQUEST | flags, socket.nextSeq()).nfgenmsg(family, Netlink.NFNETLINK_V0, 0);
        return w;
    }

    /** The ruleset generation (NFT_MSG_GETGEN): it changes with every committed transaction. */
    public int generation() throws NativeException {
        NetlinkWriter w = request(NFT_MSG_GETGEN, 0, Linux.AF_UNSPEC).end();
        int[] gen = {0};
        boolean[] seen = {false};
        socket.dump(w, "nftables: get ruleset generation", r -> {
            AttributeReader a = NftTable.attributes(r);
            while (a.next()) {
                if (a.type() == NFTA_GEN_ID) {
                    gen[0] = a.beU32();
                    seen[0] = true;
                }
            }
        });
        if (!seen[0]) {
            throw new NativeException("nftables: get ruleset generation: no NFTA_GEN_ID in the answer", Errno.EPROTO, true);
        }
        return gen[0];
    }

    /** The table, or empty when it does not exist. */
    public Optional<NftTable> table(int family, String name) throws NativeException {
        NetlinkWriter w = request(NFT_MSG_GETTABLE, 0, family);
        w.attrString(NFTA_TABLE_NAME, name).end();
        List<NftTable> out = new ArrayList<>();
        return getOne(w, "nftables: get table " + familyName(family) + " " + name, r -> out.add(NftTable.parse(r)), out);
    }

    /** Every table of a family ({@link NfTables#NFPROTO_UNSPEC}: of all families). */
    public List<NftTable> tables(int family) throws NativeException {
        NetlinkWriter w = request(NFT_MSG_GETTABLE, Netlink.NLM_F_DUMP, family).end();
        List<NftTable> out = new ArrayList<>();
        socket.dump(w, "nftables: list tables " + familyName(family), r -> out.add(NftTable.parse(r)));
        return out;
    }

    /** The chain, or empty when it (or its table) does not exist. */
    public Optional<NftChain> chain(int family, String table, String name) throws NativeException {
        NetlinkWriter w = request(NFT_MSG_GETCHAIN, 0, family);
        w.attrString(NFTA_CHAIN_TABLE, table).attrString(NFTA_CHAIN_NAME, name).end();
        List<NftChain> out = new ArrayList<>();
        return getOne(w, "nftables: get chain " + familyName(family) + " " + table + " " + name, r -> out.add(NftChain.parse(r)), out);
    }

    /** The rules of a table, of one chain when {@code chain} is not null; empty when neither exists. */
    public List<NftRuleInfo> rules(int family, String table, String chain) throws NativeException {
        NetlinkWriter w = request(NFT_MSG_GETRULE, Netlink.NLM_F_DUMP, family);
        w.attrString(NFTA_RULE_TABLE, table);
        if (chain != null) {
            w.attrString(NFTA_RULE_CHAIN, chain);
        }
        w.end();
        List<NftRuleInfo> out = new ArrayList<>();
        String what = "nftables: list rules " + familyName(family) + " " + table + (chain == null ? "" : " " + chain);
        try {
            socket.dump(w, what, r -> out.add(NftRuleInfo.parse(r)));
        } catch (NativeException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        return out;
    }

    private <T> Optional<T> getOne(NetlinkWriter w, String what, java.util.function.Consumer<NetlinkReader> each, List<T> out)
            throws NativeException {
        try {
            socket.dump(w, what, each);
        } catch (NativeException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out.get(0));
    }

    /** A new, empty transaction whose messages take this socket's sequence numbers. */
    public NftBatch batch() {
        return new NftBatch(socket::nextSeq);
    }

    /**
     * Sends the transaction and checks every message's ACK. The kernel handles a batch inside the
     * send call, so every answer is queued once send returns.
     *
     * @param genid the generation the batch was computed from, or null to apply it regardless
     * @throws NativeException naming the first refused operation and its errno; ERESTART when
     *         {@code genid} is stale (read again and retry)
     */
    public void commit(NftBatch batch, Integer genid) throws NativeException {
        if (batch.isEmpty()) {
            return;
        }
        int beginSeq = socket.nextSeq();
        byte[] datagram = batch.datagram(beginSeq, genid);
        Map<Integer, String> pending = new HashMap<>();
        for (NftBatch.Operation op : batch.operations()) {
            pending.put(op.seq(), op.description());
        }
        socket.send(datagram, 0, datagram.length);
        byte[] buf = new byte[socket.receiveCapacity()];
        NetlinkReader r = new NetlinkReader();
        String failedOp = null;
        int failedErrno = 0;
        long deadline = System.nanoTime() + ANSWER_TIMEOUT_MILLIS * 1_000_000L;
        while (!pending.isEmpty()) {
            int n = socket.tryReceive(buf, Linux.MSG_DONTWAIT);
            if (n == -Errno.EAGAIN) {
                if (failedOp != null) {
                    break; // an aborted batch answers every message at once: what is missing will not come
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new NativeException("nftables transaction (" + pending.values().iterator().next()
                            + "): ETIMEDOUT (no answer from the kernel in " + ANSWER_TIMEOUT_MILLIS + " ms)", Errno.ETIMEDOUT, true);
                }
                socket.poll((int) left);
                continue;
            }
            if (n < 0) {
                if (-n == Errno.EINTR) {
                    continue;
                }
                throw new NativeException("nftables transaction (recv)", -n);
            }
            r.reset(buf, 0, n);
            while (r.next()) {
                if (!r.isError()) {
                    continue;
                }
                int errno = r.errorCode();
                if (r.seq() == beginSeq && errno != 0) {
                    throw new NativeException("nftables transaction (" + batch.operations().get(0).description()
                            + (batch.operations().size() > 1 ? ", ..." : "") + ")", errno);
                }
                String op = pending.remove(r.seq());
                if (op != null && errno != 0 && failedOp == null) {
                    failedOp = op;
                    failedErrno = errno;
                }
            }
        }
        if (failedOp != null) {
            throw new NativeException("nftables: " + failedOp, failedErrno);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
