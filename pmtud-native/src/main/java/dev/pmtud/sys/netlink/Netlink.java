package dev.pmtud.sys.netlink;

/**
 * Netlink layouts and constants from {@code linux/netlink.h}, {@code linux/netfilter/nfnetlink.h},
 * {@code linux/netfilter/nfnetlink_log.h} and {@code linux/rtnetlink.h}. Header fields are in host
 * byte order; netfilter attribute payloads are big-endian (network order).
 */
public final class Netlink {
    private Netlink() {
    }

    // ---- struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; } ----
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;
    /** Types below this are control messages. */
    public static final int NLMSG_MIN_TYPE = 0x10;

    /** SOL_NETLINK option: join a multicast group (int, the group number, not a bit mask). */
    public static final int NETLINK_ADD_MEMBERSHIP = 1;

    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;
    /** In an ACK: the request was not copied back (only its header). */
    public static final int NLM_F_CAPPED = 0x100;
    /** In an ACK: extended TLVs follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    /** {@code struct nlmsgerr { int error; struct nlmsghdr msg; }} (payload of NLMSG_ERROR). */
    public static final int NLMSGERR_LEN = 4 + NLMSG_HDRLEN;

    // ---- struct nlattr { u16 len; u16 type; } ----
    public static final int NLA_HDRLEN = 4;
    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    /** NLMSG_ALIGN / NLA_ALIGN: round up to 4 bytes. */
    public static int align(int length) {
        return (length + 3) & ~3;
    }

    // ---- nfnetlink: struct nfgenmsg { u8 nfgen_family; u8 version; be16 res_id; } ----
    public static final int NFGENMSG_LEN = 4;
    public static final int NFNETLINK_V0 = 0;
    public static final int NFNL_SUBSYS_ULOG = 4;

    /** The nlmsg_type of an nfnetlink message: {@code subsys << 8 | msg}. */
    public static int nfnlType(int subsys, int msg) {
        return subsys << 8 | msg;
    }

    // ---- nfnetlink_log ----
    public static final int NFULNL_MSG_PACKET = 0;
    public static final int NFULNL_MSG_CONFIG = 1;

    public static final int NFULA_CFG_UNSPEC = 0;
    /** {@code struct nfulnl_msg_config_cmd { u8 command; }} */
    public static final int NFULA_CFG_CMD = 1;
    /** {@code struct nfulnl_msg_config_mode { be32 copy_range; u8 copy_mode; u8 pad; }} (packed, 6 bytes) */
    public static final int NFULA_CFG_MODE = 2;
    /** be32 bytes */
    public static final int NFULA_CFG_NLBUFSIZ = 3;
    /** be32, in 1/100 s */
    public static final int NFULA_CFG_TIMEOUT = 4;
    /** be32 messages */
    public static final int NFULA_CFG_QTHRESH = 5;
    /** be16 */
    public static final int NFULA_CFG_FLAGS = 6;

    public static final int NFULNL_CFG_CMD_NONE = 0;
    public static final int NFULNL_CFG_CMD_BIND = 1;
    public static final int NFULNL_CFG_CMD_UNBIND = 2;
    public static final int NFULNL_CFG_CMD_PF_BIND = 3;
    public static final int NFULNL_CFG_CMD_PF_UNBIND = 4;

    public static final int NFULNL_COPY_NONE = 0;
    public static final int NFULNL_COPY_META = 1;
    public static final int NFULNL_COPY_PACKET = 2;
    public static final int NFULNL_COPY_RANGE_MAX = 0xffff;

    public static final int NFULNL_CFG_F_SEQ = 0x0001;
    public static final int NFULNL_CFG_F_SEQ_GLOBAL = 0x0002;
    public static final int NFULNL_CFG_F_CONNTRACK = 0x0004;

    /** The largest NFULA_CFG_NLBUFSIZ the kernel accepts (larger values are clamped). */
    public static final int NFULNL_NLBUFSIZ_MAX = 131072;

    public static final int NFULA_UNSPEC = 0;
    /** {@code struct nfulnl_msg_packet_hdr { be16 hw_protocol; u8 hook; u8 pad; }} */
    public static final int NFULA_PACKET_HDR = 1;
    public static final int NFULA_MARK = 2;
    /** {@code struct nfulnl_msg_packet_timestamp { be64 sec; be64 usec; }} */
    public static final int NFULA_TIMESTAMP = 3;
    public static final int NFULA_IFINDEX_INDEV = 4;
    public static final int NFULA_IFINDEX_OUTDEV = 5;
    public static final int NFULA_IFINDEX_PHYSINDEV = 6;
    public static final int NFULA_IFINDEX_PHYSOUTDEV = 7;
    /** {@code struct nfulnl_msg_packet_hw { be16 hw_addrlen; u16 pad; u8 hw_addr[8]; }} */
    public static final int NFULA_HWADDR = 8;
    public static final int NFULA_PAYLOAD = 9;
    public static final int NFULA_PREFIX = 10;
    public static final int NFULA_UID = 11;
    public static final int NFULA_SEQ = 12;
    public static final int NFULA_SEQ_GLOBAL = 13;
    public static final int NFULA_GID = 14;
    public static final int NFULA_HWTYPE = 15;
    public static final int NFULA_HWHEADER = 16;
    public static final int NFULA_HWLEN = 17;
    public static final int NFULA_CT = 18;
    public static final int NFULA_CT_INFO = 19;
    public static final int NFULA_VLAN = 20;
    public static final int NFULA_L2HDR = 21;
    public static final int NFULA_MAX = 21;

    public static final int NFULA_VLAN_PROTO = 1;
    public static final int NFULA_VLAN_TCI = 2;

    // ---- rtnetlink (links, addresses, neighbours: Rtnetlink, the raw sink's lookups) ----
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;
    /** {@code struct ndmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u16 state; u8 flags; u8 type; }} */
    public static final int NDMSG_LEN = 12;
    /** {@code struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }} */
    public static final int IFINFOMSG_LEN = 16;
    /** {@code struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }} */
    public static final int IFADDRMSG_LEN = 8;
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    /** Nested, one attribute per address family ({@code AF_INET}, {@code AF_INET6}) of per-family link settings. */
    public static final int IFLA_AF_SPEC = 26;
    /**
     * Inside {@code IFLA_AF_SPEC / AF_INET}: the link's IPv4 settings ({@code net.ipv4.conf.DEV.*}). In a
     * request, nested attributes whose type is an {@code IPV4_DEVCONF_*} id and whose value is a u32
     * ({@code inet_set_link_af()}); in an answer, one u32 array indexed by id - 1 ({@code inet_fill_link_af()}).
     */
    public static final int IFLA_INET_CONF = 1;
    /** {@code IPV4_DEVCONF_RP_FILTER} ({@code linux/ip.h}): {@code net.ipv4.conf.DEV.rp_filter}. */
    public static final int IPV4_DEVCONF_RP_FILTER = 8;
    /** {@code ifaddrmsg.ifa_scope}: a global address (what {@code ip addr add} gives by default). */
    public static final int RT_SCOPE_UNIVERSE = 0;

    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;
}
