package dev.pmtud.source.nflog;

import dev.pmtud.sys.Capability;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.NetlinkSocket;
import dev.pmtud.sys.netlink.NetlinkWriter;
import dev.pmtud.sys.nflog.NflogConfig;
import java.io.IOException;

/**
 * An NFLOG group bound to a NETLINK_NETFILTER socket of this process, in the calling thread's
 * network namespace, and the one-line diagnosis when the kernel refuses: the group taken by
 * another process, or CAP_NET_ADMIN missing. Binding is one acknowledged request that also
 * configures the group ({@link NflogConfig#bind}: whole packets, batching, sequence numbers).
 *
 * <p>Only a bound group is ever unbound: a refused bind leaves the other process's group alone.
 */
final class NflogBinding implements AutoCloseable {
    /** The netlink socket's own buffer for acknowledgements; packets are read through a MsgVector. */
    private static final int ACK_BUFFER = 64 * 1024;

    private final NetlinkSocket socket;
    private final int group;
    private final String label;
    private final System.Logger log;
    /** The two queue-threshold requests adaptive batching switches between, built once. */
    private final int calmBatch;
    private final NetlinkWriter calmRequest;
    private final NetlinkWriter burstRequest;

    private NflogBinding(NetlinkSocket socket, NflogSettings settings, String label, System.Logger log) {
        this.socket = socket;
        this.group = settings.group();
        this.label = label;
        this.log = log;
        this.calmBatch = settings.batch();
        this.calmRequest = NflogConfig.queueThreshold(socket, group, settings.batch());
        this.burstRequest = NflogConfig.queueThreshold(socket, group, Math.max(settings.batch(), settings.burstBatch()));
    }

    /** Binds {@code settings.group()}; throws with a one-line, actionable message when it cannot. */
    static NflogBinding bind(NflogSettings settings, String label, System.Logger log) throws IOException {
        NetlinkSocket s = NetlinkSocket.open(Linux.NETLINK_NETFILTER, ACK_BUFFER);
        try {
            s.setReceiveBufferSize(settings.bufferBytes(), true);
            for (int family : families(settings)) {
                // Makes nfnetlink_log the family's logger for LOG-type fallbacks; NFLOG rules reach
                // the group either way. Never PF_UNBIND: that would unhook other users of the netns.
                try {
                    NflogConfig.pfBind(s, family);
                } catch (NativeException e) {
                    if (e.errno() == Errno.EPERM) {
                        // PF_BIND touches no group: EPERM here can only be the missing capability
                        throw Capability.NET_ADMIN.missing("NFLOG", e.errno());
                    }
                    log.log(System.Logger.Level.DEBUG, label + ": " + e.getMessage());
                }
            }
            try {
                NflogConfig.bind(s, settings.group(), settings.batch(), settings.flushCentiseconds(), settings.kernelBatchBytes());
            } catch (NativeException e) {
                throw explain(e, settings.group());
            }
            return new NflogBinding(s, settings, label, log);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static int[] families(NflogSettings settings) {
        if (settings.ipv4() && settings.ipv6()) {
            return new int[] {Linux.AF_INET, Linux.AF_INET6};
        }
        return settings.ipv4() ? new int[] {Linux.AF_INET} : new int[] {Linux.AF_INET6};
    }

    /**
     * The kernel answers EPERM both when the caller lacks CAP_NET_ADMIN and when another socket
     * owns the group (nfulnl_recv_config checks the owner's port id before the command), and
     * EBUSY when a BIND meets an existing instance. Holding CAP_NET_ADMIN tells the two EPERMs apart.
     */
    static IOException explain(NativeException e, int group) {
        int errno = e.errno();
        if (errno == Errno.EBUSY || errno == Errno.EPERM && Capability.NET_ADMIN.held()) {
            return new NativeException("NFLOG group " + group + " is already bound by another process", errno, true);
        }
        if (errno == Errno.EPERM) {
            return Capability.NET_ADMIN.missing("NFLOG", errno);
        }
        return e;
    }

    NetlinkSocket socket() {
        return socket;
    }

    /**
     * Sets the group's queue threshold while it receives: the configured {@code batch}, or else the
     * burst threshold (the only two values adaptive batching uses). Unacknowledged, allocation-free.
     */
    void queueThreshold(int messages) throws NativeException {
        socket.send(messages == calmBatch ? calmRequest : burstRequest);
    }

    /** The socket's receive buffer as the kernel reports it (twice what was asked), for the log. */
    int receiveBufferSize() throws NativeException {
        return socket.receiveBufferSize();
    }

    /** Unbinds the group (closing the socket would too; asking says so at once) and closes the socket. */
    @Override
    public void close() {
        try {
            NflogConfig.unbind(socket, group);
        } catch (NativeException e) {
            // closing the socket destroys the instance anyway (NETLINK_URELEASE)
            log.log(System.Logger.Level.DEBUG, label + ": " + e.getMessage());
        }
        socket.close();
    }
}
