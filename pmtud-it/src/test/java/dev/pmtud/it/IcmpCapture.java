package dev.pmtud.it;

import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.PcapFile;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump of the PMTU messages a node <em>receives</em> on an interface ({@code -Q in}): its
 * Ethernet uplink, or the relay's TUN device (raw IP, no link header). Nanosecond
 * timestamps. veth only offers host (kernel software) timestamps ({@code tcpdump -J}); all
 * namespaces share the one kernel clock, so timestamps from two nodes compare directly.
 * Decoded here with the testkit's {@link PcapFile}, independently of pmtud's own decoder.
 */
public final class IcmpCapture implements AutoCloseable {
    static final String FILTER = "(icmp and icmp[0] == 3 and icmp[1] == 4) or (icmp6 and ip6[40] == 2 and ip6[41] == 0)";

    /**
     * One captured message. {@code key} identifies the message independently of how it travelled:
     * family, ICMP type/code/MTU and the embedded original header plus 8 transport bytes (what
     * every replication mode keeps intact; the outer header and the ICMPv6 checksum may change).
     */
    public record Message(long timestampNanos, Family family, InetAddress outerSource, boolean linkBroadcast, int mtu, String key) {
    }

    private final Path file;
    private final Path log;
    private final Process process;

    public IcmpCapture(Netns ns, String iface, Path dir, String label) throws Exception {
        this.file = dir.resolve(label + ".pcap");
        this.log = dir.resolve(label + ".tcpdump.log");
        this.process = ns.start(log, "tcpdump", "-i", iface, "-Q", "in", "-n", "-U", "-s", "2048", "-j", "host",
                "--time-stamp-precision=nano", "-w", file.toString(), FILTER);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(log) || !Files.readString(log).contains("listening on")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("tcpdump in " + ns + " did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
            }
            Thread.sleep(20); // poll interval of an awaited condition
        }
    }

    public Path file() {
        return file;
    }

    /** Reads what tcpdump wrote; call after {@link #close()} (tcpdump flushes on SIGTERM). */
    public List<Message> read() throws IOException {
        return decode(PcapFile.read(file));
    }

    static final int LINKTYPE_ETHERNET = 1;
    static final int LINKTYPE_RAW = 101;

    static List<Message> decode(PcapFile.Capture capture) {
        if (capture.linkType() != LINKTYPE_ETHERNET && capture.linkType() != LINKTYPE_RAW) {
            throw new IllegalStateException("expected an Ethernet or raw-IP capture, got link type " + capture.linkType());
        }
        List<Message> out = new ArrayList<>();
        for (PcapFile.Record r : capture.records()) {
            Message m = capture.linkType() == LINKTYPE_ETHERNET ? decodeFrame(r.timestampNanos(), r.data())
                    : decodeIp(r.timestampNanos(), r.data(), 0, false);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    static Message decodeFrame(long ts, byte[] f) {
        if (f.length < 14) {
            return null;
        }
        boolean broadcast = true;
        for (int i = 0; i < 6; i++) {
            broadcast &= (f[i] & 0xff) == 0xff;
        }
        int etherType = u16(f, 12);
        if (etherType != 0x0800 && etherType != 0x86dd) {
            return null;
        }
        return decodeIp(ts, f, 14, broadcast);
    }

    /** The message in the IP packet at {@code ip}; null when it is not a v4 3/4 or v6 2/0 message. */
    static Message decodeIp(long ts, byte[] f, int ip, boolean broadcast) {
        try {
            int version = (f[ip] & 0xf0) >> 4;
            if (version == 4) {
                int ihl = (f[ip] & 0x0f) * 4;
                if (f[ip + 9] != 1) {
                    return null;
                }
                InetAddress src = InetAddress.getByAddress(slice(f, ip + 12, 4));
                int icmp = ip + ihl;
                int mtu = u16(f, icmp + 6);
                int inner = icmp + 8;
                int innerLen = (f[inner] & 0x0f) * 4 + 8;
                return new Message(ts, Family.V4, src, broadcast, mtu,
                        "v4/" + f[icmp] + "/" + f[icmp + 1] + "/" + mtu + "/" + HexFormat.of().formatHex(f, inner, Math.min(f.length, inner + innerLen)));
            }
            if (version == 6) {
                if (f[ip + 6] != 58) {
                    return null;
                }
                InetAddress src = InetAddress.getByAddress(slice(f, ip + 8, 16));
                int icmp = ip + 40;
                int mtu = (int) ((long) u16(f, icmp + 4) << 16 | u16(f, icmp + 6));
                int inner = icmp + 8;
                return new Message(ts, Family.V6, src, broadcast, mtu,
                        "v6/" + f[icmp] + "/" + f[icmp + 1] + "/" + mtu + "/" + HexFormat.of().formatHex(f, inner, Math.min(f.length, inner + 48)));
            }
        } catch (IOException | IndexOutOfBoundsException e) {
            return null;
        }
        return null;
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }

    private static byte[] slice(byte[] b, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, off, out, 0, len);
        return out;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
