package dev.pmtud.sys;

/** Constants from the Linux UAPI headers (x86_64 / arm64 values, which agree for these). */
public final class Linux {
    private Linux() {
    }

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int AF_PACKET = 17;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_BINDTODEVICE = 25;
    /** SOL_SOCKET: attach a classic BPF program ({@code struct sock_fprog}, {@link SocketFilter}). */
    public static final int SO_ATTACH_FILTER = 26;
    public static final int SO_TIMESTAMPNS = 35;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_IPIP = 4;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int IPPROTO_RAW = 255;
    public static final int IP_TTL = 2;
    public static final int IP_HDRINCL = 3;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPV6_HDRINCL = 36;

    public static final int SOL_NETLINK = 270;
    /** SOL_NETLINK: join a multicast group (its number, an int), to receive the kernel's notifications. */
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_NETFILTER = 12;

    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_WAITFORONE = 0x10000;

    public static final int ETH_P_ALL = 0x0003;
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_IPV6 = 0x86dd;

    public static final int CLONE_NEWNET = 0x40000000;

    public static final int POLLIN = 0x001;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;

    public static final int POLLOUT = 0x004;

    /** {@code struct pollfd { int fd; short events; short revents; }} */
    public static final int POLLFD_SIZE = 8;

    public static final int IPV6_RECVERR = 25;
    /** IPPROTO_IPV6 level: 0 makes an AF_INET6 socket dual-stack (IPv4 peers as ::ffff:a.b.c.d). */
    public static final int IPV6_V6ONLY = 26;
    public static final int IP_MTU_DISCOVER = 10;
    public static final int IP_PMTUDISC_DO = 2;
    /** getsockopt on a connected socket: the path MTU the kernel knows for its destination. */
    public static final int IP_MTU = 14;
    public static final int IPV6_MTU = 24;
    public static final int IPV6_MTU_DISCOVER = 23;
    public static final int IPV6_PMTUDISC_DO = 2;
    /** SOL_SOCKET: {@code u32[SK_MEMINFO_VARS]}; entry {@link #SK_MEMINFO_DROPS} is the socket's sk_drops. */
    public static final int SO_MEMINFO = 55;
    public static final int SK_MEMINFO_DROPS = 8;
    public static final int SK_MEMINFO_VARS = 9;

    public static final int O_RDWR = 0x2;
    public static final int O_CLOEXEC = 0x80000;

    /** {@code ioctl} request {@code _IOW('T', 202, int)}: attach to (or create) a TUN/TAP device ({@code struct ifreq}). */
    public static final long TUNSETIFF = 0x400454caL;
    /** {@code ifr_flags} for TUNSETIFF: a layer-3 device. */
    public static final int IFF_TUN = 0x0001;
    /** {@code ifr_flags}: no 4-byte packet-information prefix; each read/write is one bare IP packet. */
    public static final int IFF_NO_PI = 0x1000;
    /** {@code ifr_flags}: fail with EBUSY instead of attaching when a device of that name exists. */
    public static final int IFF_TUN_EXCL = 0x8000;
    /** {@code struct ifreq}: offset of {@code ifr_flags} (after the 16-byte name). */
    public static final int IFREQ_FLAGS_OFFSET = 16;

    /** Interface flag (ifinfomsg.ifi_flags / ifi_change). */
    public static final int IFF_UP = 0x1;
    public static final int IP_RECVERR = 11;

    /** {@code ioctl} request: interface index to name ({@code struct ifreq}, 40 bytes). */
    public static final int SIOCGIFNAME = 0x8910;
    /** {@code ioctl} request: interface name to index. */
    public static final int SIOCGIFINDEX = 0x8933;
    public static final int IFNAMSIZ = 16;
    public static final int IFREQ_SIZE = 40;

    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    /** {@code struct sockaddr_nl}: family u16, pad u16, pid u32, groups u32. */
    public static final int SOCKADDR_NL_SIZE = 12;
    /** {@code struct sockaddr_in}. */
    public static final int SOCKADDR_IN_SIZE = 16;
    /** {@code struct sockaddr_in6}. */
    public static final int SOCKADDR_IN6_SIZE = 28;
    /** {@code struct sockaddr_ll}. */
    public static final int SOCKADDR_LL_SIZE = 20;

    /** Capability number of CAP_NET_ADMIN (bit in /proc/self/status CapEff). */
    public static final int CAP_NET_ADMIN = 12;
    public static final int CAP_NET_RAW = 13;
}
