package dev.pmtud.example;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Lets through only messages about flows this cluster serves, like cloudflare/pmtud's
 * {@code --ports}: the embedded original packet (what we sent and was too big) must come from one
 * of {@code sources} and/or from one of {@code ports}. Everything else (scans, spoofed messages,
 * traffic of other tenants) is dropped before it is replicated to every node.
 *
 * <p>Reads the address and the port in place from the packet buffer: no allocation per packet.
 */
final class AllowFlowsFilter implements Filter {
    static final Verdict SOURCE_NOT_ALLOWED = Verdict.drop("source-not-allowed");
    static final Verdict PORT_NOT_ALLOWED = Verdict.drop("port-not-allowed");
    /** A port list is configured, but the embedded protocol (ICMP, ESP, ...) has no ports. */
    static final Verdict NO_PORTS = Verdict.drop("no-ports");
    /** With {@code match: any}: neither the address nor the port is listed. */
    static final Verdict FLOW_NOT_ALLOWED = Verdict.drop("flow-not-allowed");

    private final Cidr[] sources;
    private final boolean[] ports;
    private final boolean all;

    /**
     * @param sources allowed embedded source networks; empty means any address
     * @param ports allowed embedded source ports as a 65536-entry table; {@code null} means any port
     * @param all whether both conditions must hold ({@code match: all}) or either ({@code any})
     */
    AllowFlowsFilter(List<Cidr> sources, boolean[] ports, boolean all) {
        this.sources = sources.toArray(new Cidr[0]);
        this.ports = ports;
        this.all = all;
    }

    @Override
    public Verdict apply(Packet p) {
        Verdict source = sources.length == 0 ? null : sourceVerdict(p);
        Verdict port = ports == null ? null : portVerdict(p);
        if (source == null) {
            return port;
        }
        if (port == null) {
            return source;
        }
        if (all) {
            return source != Verdict.PASS ? source : port;
        }
        return source == Verdict.PASS || port == Verdict.PASS ? Verdict.PASS : FLOW_NOT_ALLOWED;
    }

    private Verdict sourceVerdict(Packet p) {
        byte[] buf = p.buffer();
        int off = p.innerSourceOffset();
        int len = p.addressLength();
        for (Cidr c : sources) {
            if (c.contains(buf, off, len)) {
                return Verdict.PASS;
            }
        }
        return SOURCE_NOT_ALLOWED;
    }

    private Verdict portVerdict(Packet p) {
        if (!hasPorts(p.innerProtocol())) {
            return NO_PORTS;
        }
        return ports[p.innerSourcePort()] ? Verdict.PASS : PORT_NOT_ALLOWED;
    }

    /** TCP, UDP, DCCP, SCTP, UDP-Lite: the first two transport bytes are the source port. */
    static boolean hasPorts(int protocol) {
        return protocol == 6 || protocol == 17 || protocol == 33 || protocol == 132 || protocol == 136;
    }

    @Override
    public Collection<String> dropReasons() {
        List<String> reasons = new ArrayList<>();
        boolean both = sources.length > 0 && ports != null;
        if (both && !all) {
            reasons.add(FLOW_NOT_ALLOWED.reason());
            return reasons;
        }
        if (sources.length > 0) {
            reasons.add(SOURCE_NOT_ALLOWED.reason());
        }
        if (ports != null) {
            reasons.add(PORT_NOT_ALLOWED.reason());
            reasons.add(NO_PORTS.reason());
        }
        return reasons;
    }
}
