package dev.pmtud.source.pcap;

import dev.pmtud.api.Health;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Outage;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.netlink.Link;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Locale;
import java.util.Set;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.RawPacketListener;

/**
 * Live capture on one interface with a BPF filter that lets through only ICMP fragmentation-needed
 * and ICMPv6 packet-too-big messages (VLAN-tagged ones included on Ethernet). Only received
 * frames are captured: what this node sends itself (a sink's replicas) never comes back in.
 *
 * <p>The interface is followed by name ({@link InterfaceWatch}): when it disappears (deleted, as
 * a driver reload or a CNI restart does) the capture waits for an interface of that name to be
 * there again and opens on it, instead of its thread ending; meanwhile its {@link Outage} logs it
 * once, counts it ({@code pmtud_source_outages_total}) and answers {@link #health()}.
 */
public final class PcapLiveSource extends PcapHandleSource {
    /** {@link #DEFAULT_FILTER} without its Ethernet clause, for links without Ethernet headers (cooked, raw IP). */
    public static final String DEFAULT_FILTER_NO_ETHER =
            "((icmp and icmp[0] == 3 and icmp[1] == 4) or (icmp6 and ip6[40] == 2 and ip6[41] == 0))";
    /** cloudflare/pmtud's filter: both messages, and never a frame that arrived as a broadcast. */
    public static final String DEFAULT_FILTER = DEFAULT_FILTER_NO_ETHER + " and not ether dst ff:ff:ff:ff:ff:ff";

    /** How long one poll may block; bounds how late a stop is noticed even if a wake-up is lost. */
    private static final int READ_TIMEOUT_MILLIS = 100;
    /** pcap_activate()'s "no permission to capture" status. */
    private static final int PCAP_ERROR_PERM_DENIED = -8;
    /** pcap_activate()'s "interface is not up" status. */
    private static final int PCAP_ERROR_IFACE_NOT_UP = -9;

    /** libpcap's pseudo-device that captures on every interface. */
    static final String ANY = "any";

    private final String interfaceName;
    private final int snaplen;
    private final int bufferBytes;
    private final String customFilter;
    private final boolean promiscuous;
    private final boolean immediate;
    private final Outage outage;
    private final Packet packet = new Packet();

    /** {@code null} for {@code any}, which no deletion ends. */
    private InterfaceWatch watch;
    private int ifIndex;
    private String ingressName;
    private volatile String appliedFilter;
    /** ps_drop + ps_ifdrop as last read: a failed read (the handle closed meanwhile) keeps it. */
    private volatile long lost;
    /** What handles closed before the current one lost: a re-opened capture counts from zero again. */
    private volatile long lostBefore;

    /**
     * @param filter a BPF expression replacing the default, or {@code null} for the default
     * @param label  the source's label ({@code name:}), its {@code source} tag
     */
    public PcapLiveSource(String interfaceName, int snaplen, int bufferBytes, String filter, boolean promiscuous,
            boolean immediate, PipelineContext context, String label) {
        this.interfaceName = interfaceName;
        this.snaplen = snaplen;
        this.bufferBytes = bufferBytes;
        this.customFilter = filter;
        this.promiscuous = promiscuous;
        this.immediate = immediate;
        this.outage = new Outage(context, Outage.SOURCE, label);
    }

    /** The interface it captures on; {@code any} (libpcap's every-interface device) means every interface. */
    @Override
    public Set<String> capturesFrom() {
        return ANY.equals(interfaceName) ? EVERY_INTERFACE : Set.of(interfaceName);
    }

    /** The BPF expression in use, or {@code null} before {@link #open()}. */
    public String filter() {
        return appliedFilter;
    }

    /**
     * The filter for a link: the default (without its Ethernet clause where there is no Ethernet
     * header) or the custom one, and on Ethernet also the same again behind a VLAN tag, because BPF
     * offsets do not skip tags unless the expression says {@code vlan}.
     */
    static String filterFor(LinkType link, String custom) {
        boolean ethernet = link == LinkType.ETHERNET;
        String f = custom != null ? custom : ethernet ? DEFAULT_FILTER : DEFAULT_FILTER_NO_ETHER;
        if (ethernet && !f.toLowerCase(Locale.ROOT).contains("vlan")) {
            return "(" + f + ") or (vlan and (" + f + "))";
        }
        return f;
    }

    @Override
    public void open() throws IOException {
        boolean any = interfaceName.equals("any");
        if (!any) {
            NetworkInterface ni;
            try {
                ni = NetworkInterface.getByName(interfaceName);
            } catch (SocketException e) {
                ni = null;
            }
            if (ni == null) {
                throw noSuchInterface(interfaceName);
            }
            ifIndex = ni.getIndex();
            ingressName = interfaceName;
            watch = InterfaceWatch.open(interfaceName);
        }
        LibPcap.ensureLoadable();
        openHandle();
    }

    /** Opens the capture on the interface as it is now, and installs it as the handle to read. */
    private void openHandle() throws IOException {
        PcapHandle h;
        try {
            h = new PcapHandle.Builder(interfaceName)
                    .snaplen(snaplen)
                    .bufferSize(bufferBytes)
                    .promiscuousMode(promiscuous ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                            : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .immediateMode(immediate)
                    .timeoutMillis(READ_TIMEOUT_MILLIS)
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
                    .build();
        } catch (PcapNativeException e) {
            throw openError(interfaceName, Pcap4j.oneLine(e), e.getReturnCode());
        } catch (LinkageError e) {
            throw Pcap4j.loadError(e);
        }
        try {
            // Only what arrives: the replicas a sink sends out of this interface must not loop back in.
            h.setDirection(PcapHandle.PcapDirection.IN);
            int dlt = h.getDlt().value();
            LinkType type = LinkType.fromPcap(dlt);
            if (type == null) {
                throw new IOException("pcap source: interface '" + interfaceName + "' has link type " + dlt + " ("
                        + h.getDlt().name() + "), which pmtud cannot decode; capture on an Ethernet, cooked or raw IP interface");
            }
            String f = filterFor(type, customFilter);
            try {
                h.setFilter(f, BpfProgram.BpfCompileMode.OPTIMIZE);
            } catch (PcapNativeException e) {
                throw new IOException("pcap source: filter '" + f + "' does not compile on " + interfaceName + ": "
                        + Pcap4j.oneLine(e) + "; fix the 'filter' key");
            }
            install(h, type);
            appliedFilter = f;
        } catch (IOException e) {
            h.close();
            throw e;
        } catch (PcapNativeException | NotOpenException e) {
            h.close();
            throw new IOException("pcap source: cannot set up capture on " + interfaceName + ": " + Pcap4j.oneLine(e));
        }
    }

    /** Turns libpcap's activation error into a one-line message that says what to do. */
    static IOException openError(String interfaceName, String m, Integer returnCode) {
        String lower = m.toLowerCase(Locale.ROOT);
        if (returnCode != null && returnCode == PCAP_ERROR_PERM_DENIED
                || lower.contains("permission") || lower.contains("not permitted") || lower.contains("cap_net_raw")) {
            return new IOException("pcap source: capturing on '" + interfaceName
                    + "' needs CAP_NET_RAW; run as root or grant it (setcap cap_net_raw,cap_net_admin+ep, or the container's capabilities)");
        }
        if (returnCode != null && returnCode == PCAP_ERROR_IFACE_NOT_UP || lower.contains("not up")) {
            return new IOException("pcap source: interface '" + interfaceName + "' is down; bring it up (ip link set "
                    + interfaceName + " up) before pmtud starts");
        }
        if (lower.contains("no such device") || lower.contains("doesn't exist")) {
            return noSuchInterface(interfaceName);
        }
        return new IOException("pcap source: cannot capture on '" + interfaceName + "': " + m);
    }

    private static IOException noSuchInterface(String interfaceName) {
        return new IOException("pcap source: interface '" + interfaceName
                + "' does not exist; name one that `ip link` lists (or 'any')");
    }

    /** Your health: failing while the interface is gone, until the capture is open on it again. */
    @Override
    public Health health() {
        return outage.health();
    }

    /**
     * Captures until woken; when the interface disappears, waits for it to be back and captures on
     * it again (the handle replaced, on this thread), rather than ending.
     */
    @Override
    protected void loop(PcapHandle h, LinkType type, PacketHandler handler) throws IOException {
        PcapHandle current = h;
        while (true) {
            try {
                capture(current, linkType(), handler);
                return;
            } catch (IOException e) {
                if (watch == null || !gone()) {
                    throw e;
                }
                outage.begin("interface " + interfaceName + " is gone (" + e.getMessage() + "); capturing again once it is back");
                retire(current);
                if (!awaitInterface()) {
                    return; // woken: the source is stopping
                }
                current = handle;
                outage.end("interface " + interfaceName + " is back as index " + ifIndex + ", capturing on it");
            }
        }
    }

    /** Whether the interface is no longer the one the capture was opened on (deleted, or deleted and created again). */
    private boolean gone() {
        try {
            Link now = watch.now();
            return now == null || now.index() != ifIndex;
        } catch (NativeException e) {
            return false;
        }
    }

    /** Closes a handle whose interface is gone, keeping what it lost for {@link #lost()}. */
    private void retire(PcapHandle h) {
        long was = lost();
        lostBefore = was;
        lost = was;
        handle = null; // wakeup() and lost() leave a missing handle alone
        h.close();
    }

    /**
     * Waits for an interface of the name and opens the capture on it; a refused open (it is not up
     * yet) waits for the next change.
     *
     * @return false when woken meanwhile (stopping)
     */
    private boolean awaitInterface() throws IOException {
        if (!watch.sameNamespace()) {
            throw new IOException("pcap source: interface " + interfaceName + " is gone, and this thread is not in the network "
                    + "namespace the capture was opened in, so it cannot be opened again here");
        }
        String lastRefusal = null;
        while (watch.await()) {
            Link now = watch.now();
            if (now == null) {
                continue;
            }
            try {
                ifIndex = now.index();
                openHandle();
            } catch (IOException e) {
                if (!e.getMessage().equals(lastRefusal)) {
                    outage.begin("interface " + interfaceName + " is back but cannot be captured on: " + e.getMessage());
                    lastRefusal = e.getMessage();
                }
                continue;
            }
            // installed before this look, so a wakeup() from now on breaks the new handle's loop
            return !watch.woken();
        }
        return false;
    }

    private void capture(PcapHandle h, LinkType type, PacketHandler handler) throws IOException {
        // pcap4j hands each frame over as a new array; it is wrapped, never copied again.
        RawPacketListener listener = data -> {
            long ts = Pcap4j.epochNanos(h.getTimestamp());
            packet.wrap(data, 0, data.length, type, ts).ingress(ifIndex, ingressName);
            handler.handle(packet);
        };
        try {
            h.loop(-1, listener);
        } catch (InterruptedException stopped) {
            // breakLoop() from wakeup(): the normal way out
        } catch (PcapNativeException | NotOpenException e) {
            throw new IOException("pcap source: capture on " + interfaceName + " failed: " + Pcap4j.oneLine(e));
        }
    }

    /**
     * Makes the capture loop return: libpcap's break-loop sets a flag the loop checks and wakes its
     * poll, and a flag set before the loop began stops it as soon as it begins. The
     * {@value #READ_TIMEOUT_MILLIS} ms read timeout bounds it in any case.
     */
    @Override
    public void wakeup() {
        if (watch != null) {
            watch.wakeup(); // first: a handle installed after this is checked against it before it is read
        }
        PcapHandle h = handle;
        if (h == null) {
            return;
        }
        try {
            h.breakLoop();
        } catch (NotOpenException closed) {
            // closed already: nothing to wake
        }
    }

    /** Kernel drops (ps_drop) plus interface drops (ps_ifdrop) since the capture started. */
    @Override
    public long lost() {
        PcapHandle h = handle;
        if (h != null) {
            try {
                PcapStat s = h.getStats();
                lost = lostBefore + s.getNumPacketsDropped() + s.getNumPacketsDroppedByIf();
            } catch (PcapNativeException | NotOpenException e) {
                // closed meanwhile, or a failed read: keep the last value; a failed read is not a loss
            }
        }
        return lost;
    }

    /** Reads the final drop count, then closes the handle: lost() keeps answering afterwards. */
    @Override
    public void close() {
        lost();
        super.close();
        if (watch != null) {
            watch.close();
        }
    }

    @Override
    public String toString() {
        return "pcap " + interfaceName;
    }
}
