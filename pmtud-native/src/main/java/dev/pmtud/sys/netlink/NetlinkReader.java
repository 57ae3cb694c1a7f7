package dev.pmtud.sys.netlink;

import dev.pmtud.sys.Errno;

/**
 * Walks the netlink messages in one received buffer (a recv returns many), in place and without
 * allocating:
 * <pre>
 *   r.reset(buf, 0, n);
 *   while (r.next()) { if (r.type() == ...) attrs.reset(buf, r.payloadOffset() + 4, r.payloadLength() - 4); }
 * </pre>
 * A message whose length field is shorter than a header or runs past the buffer ends the walk and
 * sets {@link #malformed()}.
 */
public final class NetlinkReader {
    private byte[] buf;
    private int next;
    private int end;
    private int msgOff = -1;
    private int msgLen;
    private boolean malformed;

    public NetlinkReader reset(byte[] buffer, int offset, int length) {
        this.buf = buffer;
        this.next = offset;
        this.end = offset + length;
        this.msgOff = -1;
        this.msgLen = 0;
        this.malformed = false;
        return this;
    }

    /** Advances to the next message; false at the end (or at a malformed one). */
    public boolean next() {
        if (end - next < Netlink.NLMSG_HDRLEN) {
            if (end - next > 0 && !allZero(next, end)) {
                malformed = true;
            }
            return false;
        }
        int len = Bytes.hostInt(buf, next);
        if (len < Netlink.NLMSG_HDRLEN || len > end - next) {
            malformed = true;
            return false;
        }
        msgOff = next;
        msgLen = len;
        next += Netlink.align(len);
        return true;
    }

    private boolean allZero(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether the walk stopped at a message whose length did not fit. */
    public boolean malformed() {
        return malformed;
    }

    public byte[] buffer() {
        return buf;
    }

    public int messageOffset() {
        return msgOff;
    }

    /** nlmsg_len. */
    public int messageLength() {
        return msgLen;
    }

    public int type() {
        return Bytes.hostU16(buf, msgOff + 4);
    }

    public int flags() {
        return Bytes.hostU16(buf, msgOff + 6);
    }

    public int seq() {
        return Bytes.hostInt(buf, msgOff + 8);
    }

    public int pid() {
        return Bytes.hostInt(buf, msgOff + 12);
    }

    public int payloadOffset() {
        return msgOff + Netlink.NLMSG_HDRLEN;
    }

    public int payloadLength() {
        return msgLen - Netlink.NLMSG_HDRLEN;
    }

    /** For an nfnetlink message: the subsystem (high byte of the type). */
    public int nfnlSubsys() {
        return type() >>> 8;
    }

    /** For an nfnetlink message: the message kind (low byte of the type). */
    public int nfnlMsg() {
        return type() & 0xff;
    }

    public boolean isError() {
        return type() == Netlink.NLMSG_ERROR;
    }

    public boolean isDone() {
        return type() == Netlink.NLMSG_DONE;
    }

    /**
     * For NLMSG_ERROR: the errno the kernel reports (positive; 0 for an ACK), or EPROTO when the
     * message is too short to hold it.
     */
    public int errorCode() {
        if (payloadLength() < 4) {
            return Errno.EPROTO;
        }
        return -Bytes.hostInt(buf, payloadOffset());
    }

    /** For NLMSG_ERROR: the sequence number of the request it answers, or -1 when absent. */
    public int errorRequestSeq() {
        if (payloadLength() < Netlink.NLMSGERR_LEN) {
            return -1;
        }
        return Bytes.hostInt(buf, payloadOffset() + 4 + 8);
    }

    /** For an nfnetlink message: nfgen_family. */
    public int nfgenFamily() {
        return buf[payloadOffset()] & 0xff;
    }

    /** For an nfnetlink message: res_id (big-endian), the NFLOG group. */
    public int nfgenResId() {
        return Bytes.beU16(buf, payloadOffset() + 2);
    }
}
