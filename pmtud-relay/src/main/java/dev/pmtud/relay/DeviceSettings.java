package dev.pmtud.relay;

import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.Netlink;
import dev.pmtud.sys.netlink.Rtnetlink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The kernel settings the inject sink's TUN device needs, made so that they work in a container,
 * where /proc/sys is mounted read-only and only CAP_NET_ADMIN is held:
 * <ul>
 *   <li>IPv4 {@code rp_filter=2} over rtnetlink ({@code RTM_NEWLINK} with
 *       {@code IFLA_AF_SPEC / AF_INET / IFLA_INET_CONF}, what {@code ip} cannot do but the kernel's
 *       {@code inet_set_link_af()} accepts), read back the same way. No /proc/sys write at all.
 *   <li>IPv6 enabled: the kernel offers no rtnetlink attribute for {@code disable_ipv6}, so its value
 *       is read from /proc/sys (readable when read-only) and written only when it is wrong. When it is
 *       wrong and cannot be written, the device works for IPv4 only: that is a warning, not a refusal
 *       (an IPv4-only node still relays IPv4), and the sink counts each IPv6 message it cannot inject.
 * </ul>
 */
final class DeviceSettings {
    static final int RP_FILTER_LOOSE = 2;
    private static final Path PROC_SYS = Path.of("/proc/sys");

    private DeviceSettings() {
    }

    /** {@code net.ipv4.conf.NAME.rp_filter=2} on link {@code index}, over rtnetlink; checked. */
    static void looseReversePathFilter(Rtnetlink netlink, int index, String name, String what) throws IOException {
        int now;
        try {
            netlink.setIpv4Conf(index, Netlink.IPV4_DEVCONF_RP_FILTER, RP_FILTER_LOOSE);
            now = netlink.ipv4Conf(index, Netlink.IPV4_DEVCONF_RP_FILTER);
        } catch (NativeException e) {
            throw new IOException(what + ": cannot set rp_filter=2 on " + name + " over rtnetlink: " + e.getMessage()
                    + "; pmtud needs CAP_NET_ADMIN in the node's network namespace", e);
        }
        if (now != RP_FILTER_LOOSE) {
            throw new IOException(what + ": set rp_filter=2 on " + name + " over rtnetlink, but the kernel reports "
                    + now + "; reverse-path filtering would drop the injected messages");
        }
    }

    /**
     * Makes sure IPv6 is enabled on {@code name}; empty when it is, else what is wrong and how to fix it
     * (one line, for a warning).
     */
    static Optional<String> enableIpv6(String name) {
        return enableIpv6(PROC_SYS, name);
    }

    static Optional<String> enableIpv6(Path procSys, String name) {
        Path file = procSys.resolve("net/ipv6/conf").resolve(name).resolve("disable_ipv6");
        if (!Files.exists(file)) {
            return Optional.of("IPv6 is off in this kernel (no " + file + "; booted with ipv6.disable=1?): IPv6 messages "
                    + "cannot be injected into " + name + " and are counted as errno EAFNOSUPPORT");
        }
        String value;
        try {
            value = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return Optional.of("cannot read " + file + " (" + e.getMessage() + "): IPv6 on " + name + " is unknown");
        }
        if (value.equals("0")) {
            return Optional.empty(); // what a new device inherits from net.ipv6.conf.default.disable_ipv6 nearly everywhere
        }
        try {
            Files.writeString(file, "0", StandardCharsets.US_ASCII);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("IPv6 is disabled on " + name + " (net.ipv6.conf." + name + ".disable_ipv6=" + value
                    + ", inherited from net.ipv6.conf.default.disable_ipv6) and " + file + " cannot be written here ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ", read-only in a container): IPv6 messages are "
                    + "not injected and are counted as errno EAFNOSUPPORT; set net.ipv6.conf.default.disable_ipv6=0 on the node");
        }
    }
}
