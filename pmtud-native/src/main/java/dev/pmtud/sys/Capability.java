package dev.pmtud.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Linux capabilities pmtud needs, whether the calling thread holds one, and the one-line
 * message for an operation the kernel refused for want of it. Shared by everything that asks the
 * kernel for a privileged operation (the NFLOG source, the inject sink), so the diagnosis and the
 * advice read the same everywhere.
 */
public enum Capability {
    NET_ADMIN(Linux.CAP_NET_ADMIN),
    NET_RAW(Linux.CAP_NET_RAW);

    private static final String ADVICE = "run as root or grant the capability";

    private final int bit;

    Capability(int bit) {
        this.bit = bit;
    }

    /** {@code CAP_NET_ADMIN}, as the kernel's documentation and {@code setcap} name it. */
    public String capName() {
        return "CAP_" + name();
    }

    /**
     * Whether the calling thread has it in its effective set ({@code CapEff:} of
     * /proc/thread-self/status); where that cannot be read, whether it runs as root.
     */
    public boolean held() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << bit)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Sys.isRoot();
        }
        return Sys.isRoot();
    }

    /**
     * {@code what} was refused with {@code errno} (EPERM, EACCES) because this capability is
     * missing: {@code "<what> needs CAP_X (EPERM); run as root or grant the capability"}.
     */
    public NativeException missing(String what, int errno) {
        return new NativeException(what + " needs " + capName() + " (" + Errno.name(errno) + "); " + ADVICE, errno, true);
    }
}
