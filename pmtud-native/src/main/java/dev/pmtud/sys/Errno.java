package dev.pmtud.sys;

/** errno numbers (Linux, all architectures pmtud runs on) and their symbolic names. */
public final class Errno {
    private Errno() {
    }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int ENOTSOCK = 88;
    public static final int EPROTO = 71;
    /** "File descriptor in bad state": what a write to a TUN descriptor gives once its device was deleted. */
    public static final int EBADFD = 77;
    public static final int ENOTSUP = 95;
    public static final int ESRCH = 3;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int ERANGE = 34;
    public static final int ENOPROTOOPT = 92;
    public static final int ENOTCONN = 107;
    public static final int ECONNRESET = 104;
    public static final int ENOTTY = 25;
    public static final int EMSGSIZE = 90;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTDOWN = 112;
    public static final int EHOSTUNREACH = 113;
    /** nf_tables: the ruleset changed since the generation a transaction was computed from. */
    public static final int ERESTART = 85;

    /** {@code "EHOSTUNREACH"} for 113; {@code "errno-N"} for numbers without a name here. */
    public static String name(int errno) {
        switch (errno) {
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case EINTR: return "EINTR";
            case EIO: return "EIO";
            case EBADF: return "EBADF";
            case EAGAIN: return "EAGAIN";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EFAULT: return "EFAULT";
            case EBUSY: return "EBUSY";
            case EEXIST: return "EEXIST";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case EMFILE: return "EMFILE";
            case ENOSPC: return "ENOSPC";
            case EPIPE: return "EPIPE";
            case ENOTSOCK: return "ENOTSOCK";
            case EPROTO: return "EPROTO";
            case EBADFD: return "EBADFD";
            case ESRCH: return "ESRCH";
            case ENXIO: return "ENXIO";
            case E2BIG: return "E2BIG";
            case ERANGE: return "ERANGE";
            case ENOPROTOOPT: return "ENOPROTOOPT";
            case ENOTCONN: return "ENOTCONN";
            case ECONNRESET: return "ECONNRESET";
            case ENOTTY: return "ENOTTY";
            case EMSGSIZE: return "EMSGSIZE";
            case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
            case EOPNOTSUPP: return "EOPNOTSUPP";
            case EAFNOSUPPORT: return "EAFNOSUPPORT";
            case EADDRINUSE: return "EADDRINUSE";
            case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
            case ENETDOWN: return "ENETDOWN";
            case ENETUNREACH: return "ENETUNREACH";
            case ENOBUFS: return "ENOBUFS";
            case ETIMEDOUT: return "ETIMEDOUT";
            case ECONNREFUSED: return "ECONNREFUSED";
            case EHOSTDOWN: return "EHOSTDOWN";
            case EHOSTUNREACH: return "EHOSTUNREACH";
            case ERESTART: return "ERESTART";
            default: return "errno-" + errno;
        }
    }
}
