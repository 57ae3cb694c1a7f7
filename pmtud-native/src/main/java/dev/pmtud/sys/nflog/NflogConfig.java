package dev.pmtud.sys.nflog;

import static dev.pmtud.sys.netlink.Netlink.*;

import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.Bytes;
import dev.pmtud.sys.netlink.NetlinkSocket;
import dev.pmtud.sys.netlink.NetlinkWriter;

/**
 * nfnetlink_log's configuration requests (NFULNL_MSG_CONFIG, include/uapi/linux/netfilter/nfnetlink_log.h),
 * each sent acknowledged on a NETLINK_NETFILTER socket: the kernel's errno comes back as a
 * {@link NativeException} naming the request ({@code "NFLOG group 33 bind: EBUSY (...)"}).
 * The socket that binds a group owns it: the kernel answers only that socket's requests for it.
 *
 * <p>{@link NetlinkSocket#request} skips whatever else arrives while it waits for the answer, so on
 * a bound group's socket it would drop the packets that arrive meanwhile: fine at bind and unbind.
 * A change while the group is receiving (a new queue threshold under load, say) should be sent
 * without NLM_F_ACK from the receiving thread, whose loop then sees an error answer, if any, among
 * the packets.
 */
public final class NflogConfig {
    private NflogConfig() {
    }

    /**
     * Makes nfnetlink_log the logger of {@code family} ({@link Linux#AF_INET}, {@link Linux#AF_INET6})
     * for LOG-type fallbacks; NFLOG rules reach a group either way. Touches no group.
     */
    public static void pfBind(NetlinkSocket s, int family) throws NativeException {
        s.request(command(s, family, 0, NFULNL_CFG_CMD_PF_BIND).end(), "NFLOG " + familyName(family) + " pf-bind");
    }

    /**
     * Binds {@code group} to this socket and configures it in the same request: copy whole packets
     * (NFULNL_COPY_PACKET, range 0xffff), number each message (NFULNL_CFG_F_SEQ), and batch: the
     * kernel sends once {@code queueThreshold} messages wait or {@code flushCentiseconds} passed,
     * in a buffer of {@code batchBytes} (0: keep the kernel's default, one page).
     */
    public static void bind(NetlinkSocket s, int group, int queueThreshold, int flushCentiseconds, int batchBytes)
            throws NativeException {
        NetlinkWriter w = command(s, Linux.AF_UNSPEC, group, NFULNL_CFG_CMD_BIND);
        // struct nfulnl_msg_config_mode { __be32 copy_range; __u8 copy_mode; __u8 _pad; }
        byte[] mode = new byte[6];
        Bytes.putBeInt(mode, 0, NFULNL_COPY_RANGE_MAX);
        mode[4] = NFULNL_COPY_PACKET;
        w.attr(NFULA_CFG_MODE, mode);
        if (batchBytes > 0) {
            w.attrBe32(NFULA_CFG_NLBUFSIZ, batchBytes);
        }
        w.attrBe32(NFULA_CFG_QTHRESH, queueThreshold)
                .attrBe32(NFULA_CFG_TIMEOUT, flushCentiseconds)
                .attrBe16(NFULA_CFG_FLAGS, NFULNL_CFG_F_SEQ);
        s.request(w.end(), "NFLOG group " + group + " bind");
    }

    /**
     * An unacknowledged request that sets the queue threshold of {@code group}, which this socket
     * bound, for a group that is receiving (see above): built once, sent with
     * {@link NetlinkSocket#send(NetlinkWriter)} whenever needed, so changing allocates nothing. The
     * kernel applies it at once to the batch it is filling; an error would arrive among the packets.
     */
    public static NetlinkWriter queueThreshold(NetlinkSocket s, int group, int queueThreshold) {
        return new NetlinkWriter()
                .begin(nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG), NLM_F_REQUEST, s.nextSeq())
                .nfgenmsg(Linux.AF_UNSPEC, NFNETLINK_V0, group)
                .attrBe32(NFULA_CFG_QTHRESH, queueThreshold)
                .end();
    }

    /** Unbinds {@code group}, which this socket bound (closing the socket does the same). */
    public static void unbind(NetlinkSocket s, int group) throws NativeException {
        s.request(command(s, Linux.AF_UNSPEC, group, NFULNL_CFG_CMD_UNBIND).end(), "NFLOG group " + group + " unbind");
    }

    private static NetlinkWriter command(NetlinkSocket s, int family, int group, int command) {
        return new NetlinkWriter()
                .begin(nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG), NLM_F_REQUEST | NLM_F_ACK, s.nextSeq())
                .nfgenmsg(family, NFNETLINK_V0, group)
                .attrU8(NFULA_CFG_CMD, command);
    }

    private static String familyName(int family) {
        return family == Linux.AF_INET ? "ipv4" : family == Linux.AF_INET6 ? "ipv6" : "family " + family;
    }
}
