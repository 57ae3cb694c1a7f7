package dev.pmtud.relay;

import dev.pmtud.api.ErrorCounters;
import dev.pmtud.api.Health;
import dev.pmtud.api.Metrics;
import dev.pmtud.api.Outage;
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
 * <p>Someone deleting the device does not end the relay: a {@link DeviceWatch} creates it again at
 * once ({@code pmtud_inject_recreated_total{sink}}); while it cannot, or while writes fail (the
 * device set down), the sink's {@link Outage} logs it once, counts it and answers {@link #health()}.
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
    private final Metrics.Counter recreated;
    private final Outage outage;

    private DeviceWatch watch;
    private NativeMemory out;
    /** The device the sending thread writes into; it retires it when the watch publishes another. */
    private InjectDevice tun;
    /** IPv6 works on {@link #tun} (else IPv6 messages are counted as EAFNOSUPPORT, not written). */
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
        this.recreated = context.metrics().counter(DeviceWatch.RECREATED,
                "Times an inject sink created its TUN device again after someone deleted it", "node", context.nodeName(), "sink", label);
        this.outage = new Outage(context, Outage.SINK, label);
    }

    @Override
    public void open() throws IOException {
        tun = createDevice();
        out = NativeMemory.allocate(PACKET_MAX);
        watch = DeviceWatch.start(tun, this::createDevice, outage, log, recreated, label);
        ipv6 = tun.ipv6Problem().isEmpty();
        tun.ipv6Problem().ifPresent(problem -> log.log(System.Logger.Level.WARNING, "inject sink {0}: {1}", label, problem));
        log.log(System.Logger.Level.INFO, "inject sink {0}: device {1} up with {2}/{3}, rp_filter 2, IPv6 {4}", label, tun.name(),
                Values.formatAddress(address), String.valueOf(prefixLength), ipv6 ? "on" : "off");
    }

    /** Why IPv6 does not work on the device, or empty (tests; the log says it once at start). */
    java.util.Optional<String> ipv6Problem() {
        return tun == null ? java.util.Optional.empty() : tun.ipv6Problem();
    }

    private InjectDevice createDevice() throws IOException {
        return InjectDevice.create(device, address, prefixLength, "inject sink " + label, cloneDevice);
    }

    /** Failing while its device is missing or writes into it fail, until one succeeds again. */
    @Override
    public Health health() {
        return outage.health();
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
        follow();
        if (!ipv6 && packet.ipVersion() == 6) {
            errors.of(Errno.EAFNOSUPPORT).increment();
            throw new IOException("IPv6 is off on " + device + " (see the warning at start): an IPv6 message not injected");
        }
        out.pointer().put(0, packet.buffer(), packet.l3Offset(), len);
        long r = tun.write(out.pointer(), len);
        if (r == -Errno.EBADFD && follow()) {
            r = tun.write(out.pointer(), len); // deleted, and created again meanwhile: into the new one
        }
        if (r < 0) {
            int errno = (int) -r;
            errors.of(errno).increment();
            outage.failed(errno, Errno::name);
            throw new NativeException("write to " + device, errno); // the runtime counts and logs it, rate-limited
        }
        written.increment();
        outage.delivered();
    }

    /**
     * Moves to the watch's current device, retiring the one written to before if it was replaced.
     *
     * @return whether it moved
     */
    private boolean follow() {
        InjectDevice now = watch.current();
        if (now == tun) {
            return false;
        }
        InjectDevice old = tun;
        tun = now;
        old.remove(); // deleted by someone: closing our descriptor is all that is left
        boolean was = ipv6;
        ipv6 = now.ipv6Problem().isEmpty();
        if (was && !ipv6) {
            log.log(System.Logger.Level.WARNING, "inject sink {0}: {1}", label, now.ipv6Problem().get());
        }
        return true;
    }

    /** Removes the device (closing its descriptor) and checks it is gone. */
    @Override
    public void close() {
        InjectDevice last = null;
        if (watch != null) {
            watch.close();
            last = watch.current();
            watch = null;
        }
        if (last != null && last != tun) {
            remove(last);
        }
        if (tun != null) {
            remove(tun);
            tun = null;
        }
        if (out != null) {
            out.close();
            out = null;
        }
    }

    private void remove(InjectDevice d) {
        if (!d.remove()) {
            log.log(System.Logger.Level.WARNING, "inject sink {0}: device {1} still exists after closing it; "
                    + "`ip link del {1}` removes it", label, device);
        }
    }

    @Override
    public String toString() {
        return "inject(" + device + ")";
    }
}
