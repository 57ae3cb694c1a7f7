package dev.pmtud.testkit;

import dev.pmtud.sys.Descriptor;
import dev.pmtud.sys.Linux;
import dev.pmtud.sys.NativeMemory;
import dev.pmtud.sys.SockAddr;
import dev.pmtud.sys.Sys;
import dev.pmtud.api.Values;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A UDP socket bound to {@code local:port} and connected to {@code remote:port} with path-MTU
 * discovery on: the flow a "fragmentation needed" / "packet too big" message quotes, so that the
 * kernel, when it accepts such a message, stores the MTU where {@link #mtu()} reads it
 * ({@code IP_MTU} / {@code IPV6_MTU}). Open it inside the namespace that owns {@code local}:
 * <pre>
 *   try (PmtuProbe probe = peer.call(() -> PmtuProbe.open("192.0.2.2", 5000, "192.0.2.99", 6000))) {
 *       ... relay Ptb.v4().to("192.0.2.2").mtu(1400).udp("192.0.2.2", 5000, "192.0.2.99", 6000) ...
 *       Await.until(WAIT, "the kernel to learn mtu 1400", () -> probe.mtu() == 1400);
 *   }
 * </pre>
 */
public final class PmtuProbe implements AutoCloseable {
    private final Descriptor socket;
    private final boolean v4;

    private PmtuProbe(Descriptor socket, boolean v4) {
        this.socket = socket;
        this.v4 = v4;
    }

    /** Opens the probe in the calling thread's namespace. */
    public static PmtuProbe open(String local, int localPort, String remote, int remotePort) throws Exception {
        InetAddress a = Values.parseAddress(local);
        boolean v4 = a instanceof Inet4Address;
        Descriptor d = Descriptor.socket(v4 ? Linux.AF_INET : Linux.AF_INET6, Linux.SOCK_DGRAM, 0, "udp");
        try (NativeMemory sa = NativeMemory.allocate(SockAddr.MAX_SIZE)) {
            Sys.setIntOption(d.fd(), v4 ? Linux.IPPROTO_IP : Linux.IPPROTO_IPV6, v4 ? Linux.IP_MTU_DISCOVER : Linux.IPV6_MTU_DISCOVER,
                    v4 ? Linux.IP_PMTUDISC_DO : Linux.IPV6_PMTUDISC_DO, "MTU_DISCOVER");
            int len = SockAddr.write(sa.pointer(), 0, a, localPort);
            Sys.check(Sys.LIBC.bind(d.fd(), sa.pointer(), len), "bind " + local);
            len = SockAddr.write(sa.pointer(), 0, Values.parseAddress(remote), remotePort);
            Sys.check(Sys.LIBC.connect(d.fd(), sa.pointer(), len), "connect " + remote);
        } catch (Exception | Error e) {
            d.close();
            throw e;
        }
        return new PmtuProbe(d, v4);
    }

    /** The path MTU the kernel holds for the connected flow now (the link's until it learnt another). */
    public int mtu() {
        try {
            return Sys.getIntOption(socket.fd(), v4 ? Linux.IPPROTO_IP : Linux.IPPROTO_IPV6, v4 ? Linux.IP_MTU : Linux.IPV6_MTU,
                    v4 ? "IP_MTU" : "IPV6_MTU");
        } catch (dev.pmtud.sys.NativeException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
