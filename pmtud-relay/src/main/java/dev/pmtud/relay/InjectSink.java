package dev.pmtud.relay;

import dev.pmtud.api.ErrorCounters;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.Values;
import dev.pmtud.sys.Errno;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.NativeMemory;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Set;

/**
 * Writes each message's IP packet into a TUN device this sink creates ({@link InjectDevice}), so that
 * the kernel receives it there: PREROUTING, conntrack and NAT see it like a packet from the wire,
 * and an ICMP error reaches the connection it belongs to even behind a DNAT (a pod behind a
 * Service). Counted: {@code pmtud_inject_written_total{sink}} and
 * {@code pmtud_inject_errors_total{sink,errno}}.
 *
 * <p>Hot path: one copy into a preallocated native buffer, one {@code write}.
 */
final class InjectSink implements Sink {
    static final String WRITTEN = "pmtud_inject_written_total";
    static final String ERRORS = "pmtud_inject_errors_total";
    private static final int PACKET_MAX = 65535;

    private final String label;
    private final String device;
    private final InetAddress address;
    private final int prefixLength;
    private final String cloneDevice;
    private final System.Logger log;
    private final Metrics.Counter written;
    private final ErrorCounters errors;

    private InjectDevice tun;
    private NativeMemory out;
    /** IPv6 works on the device (else IPv6 messages are counted as EAFNOSUPPORT, not written). */
    private boolean ipv6 = true;

    InjectSink(String label, String device, InetAddress address, int prefixLength, String cloneDevice, PipelineContext context) {
        this.label = label;
        this.device = device;
        this.address = address;
        this.prefixLength = prefixLength;
        this.cloneDevice = cloneDevice;
        this.log = context.logger();
        this.written = context.metrics().counter(WRITTEN, "Packets an inject sink wrote into its TUN device",
                "node", context.nodeName(), "sink", label);
        this.errors = new ErrorCounters(context.metrics(), ERRORS, "Packets an inject sink failed to write, by errno",
                "errno", Errno::name, "node", context.nodeName(), "sink", label);
    }

    @Override
    public void open() throws IOException {
        tun = InjectDevice.create(device, address, prefixLength, "inject sink " + label, cloneDevice);
        out = NativeMemory.allocate(PACKET_MAX);
        ipv6 = tun.ipv6Problem().isEmpty();
        tun.ipv6Problem().ifPresent(problem -> log.log(System.Logger.Level.WARNING, "inject sink {0}: {1}", label, problem));
        log.log(System.Logger.Level.INFO, "inject sink {0}: device {1} up with {2}/{3}, rp_filter 2, IPv6 {4}", label, tun.name(),
                Values.formatAddress(address), String.valueOf(prefixLength), ipv6 ? "on" : "off");
    }

    /** Why IPv6 does not work on the device, or empty (tests; the log says it once at start). */
    java.util.Optional<String> ipv6Problem() {
        return tun == null ? java.util.Optional.empty() : tun.ipv6Problem();
    }

    /** Packets written so far (tests; the metric is the product's interface). */
    long writtenCount() {
        return written.count();
    }

    @Override
    public Set<String> injectsInto() {
        return Set.of(device);
    }

    @Override
    public void send(Packet packet) throws IOException {
        int len = packet.l3Length();
        if (len > PACKET_MAX) {
            errors.of(Errno.EMSGSIZE).increment();
            throw new IOException("packet of " + len + " bytes is larger than an IP packet can be");
        }
        if (!ipv6 && packet.ipVersion() == 6) {
            errors.of(Errno.EAFNOSUPPORT).increment();
            throw new IOException("IPv6 is off on " + device + " (see the warning at start): an IPv6 message not injected");
        }
        out.pointer().put(0, packet.buffer(), packet.l3Offset(), len);
        long r = tun.write(out.pointer(), len);
        if (r < 0) {
            int errno = (int) -r;
            errors.of(errno).increment();
            throw new NativeException("write to " + device, errno); // the runtime counts and logs it, rate-limited
        }
        written.increment();
    }

    /** Removes the device (closing its descriptor) and checks it is gone. */
    @Override
    public void close() {
        if (tun != null) {
            if (!tun.remove()) {
                log.log(System.Logger.Level.WARNING, "inject sink {0}: device {1} still exists after closing it; "
                        + "`ip link del {1}` removes it", label, device);
            }
            tun = null;
        }
        if (out != null) {
            out.close();
            out = null;
        }
    }

    @Override
    public String toString() {
        return "inject(" + device + ")";
    }
}
