package dev.pmtud.bench;

import dev.pmtud.api.LinkType;
import dev.pmtud.testkit.Frames;
import dev.pmtud.testkit.Ptb;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of messages laid out back to back in one buffer, the way a source that reads many
 * messages per system call holds them, in a fixed mix of what a flood of forged messages looks like:
 * <ul>
 *   <li>50 % valid and new (37.5 % IPv4 frag-needed, 12.5 % IPv6 packet-too-big),</li>
 *   <li>25 % exact duplicates of a valid message earlier in the same batch (dedup drops them),</li>
 *   <li>4.7 % valid but from an excluded network (a peer's own copy coming back in l3 mode),</li>
 *   <li>20.3 % invalid (ICMP echo, a UDP datagram, a cut-off embedded header, and 6.25 % first
 *       fragments, MF set at offset 0, which the decoder refuses as {@code ip-fragment}).</li>
 * </ul>
 * {@link #freshen(int)} rewrites the embedded packet's ports of every "new" message before each
 * round, as a source would read different bytes, so that dedup sees new flows round after round
 * and duplicates stay duplicates (they are rewritten with the same value); it updates the ICMP
 * checksum with them (RFC 1624), which the decoder verifies.
 */
public final class MessageMix {
    /** Messages per batch: 64 = 32 new + 16 duplicate + 4 first fragments + 3 excluded + 9 invalid. */
    public static final int BATCH = 64;
    /** The network the filter chain excludes (the cluster's node network). */
    public static final String EXCLUDED_NETWORK = "198.51.100.0/24";

    public final byte[] buffer;
    public final int[] offset = new int[BATCH];
    public final int[] length = new int[BATCH];
    public final LinkType linkType;
    /** Where the embedded ports (32 bits) of each message that is rewritten per round lies, or -1. */
    private final int[] portAt = new int[BATCH];
    /** Where the ICMP checksum of each message whose ports are rewritten lies. */
    private final int[] checksumAt = new int[BATCH];
    /** How many messages of each kind; for documentation and sanity checks. */
    public final int valid;
    public final int duplicates;
    public final int excluded;
    public final int invalid;

    public MessageMix(LinkType linkType) {
        this.linkType = linkType;
        List<byte[]> msgs = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        int v = 0;
        int d = 0;
        int x = 0;
        int bad = 0;
        for (int i = 0; i < BATCH; i++) {
            int slot = i % 16;
            byte[] l3;
            int port = -1;
            int checksum = -1;
            if (slot < 8) { // new: 6 v4 + 2 v6 per 16
                boolean v6 = slot >= 6;
                int host = 1 + (i % 200);
                l3 = v6
                        ? Ptb.v6().from("2001:db8:ff::" + Integer.toHexString(host)).to("2001:db8:1::10").mtu(1280 + i)
                                .tcp("2001:db8:1::10", 443, "2001:db8:2::" + Integer.toHexString(host), 40000 + i).build()
                        : Ptb.v4().from("203.0.113." + host).to("192.0.2.10").mtu(1400 - i)
                                .tcp("192.0.2.10", 443, "203.0.113." + host, 40000 + i).build();
                port = v6 ? 40 + 8 + 40 : 20 + 8 + 20; // outer header + icmp + inner header: inner sport
                checksum = v6 ? 42 : 22;
                v++;
            } else if (slot < 12) { // duplicate of the message 8 slots earlier (same 16-slot block)
                l3 = msgs.get(i - 8).clone();
                port = ports.get(i - 8) < 0 ? -1 : ports.get(i - 8);
                checksum = checksumOffset(l3);
                d++;
            } else if (slot == 12) { // from the excluded network (only every 16th counts once per block; keep 3 of 4)
                if (i / 16 == 3) {
                    l3 = Ptb.v4().outerProtocol(17).build(); // not ICMP
                    bad++;
                } else {
                    l3 = Ptb.v4().from("198.51.100." + (2 + i / 16)).to("192.0.2.10").mtu(1400).build();
                    x++;
                }
            } else if (slot == 13) {
                l3 = Ptb.v4().type(8, 0).build(); // echo request
                bad++;
            } else if (slot == 14) {
                l3 = Ptb.v6().embeddedBytes(30).build(); // embedded header cut off
                bad++;
            } else {
                byte[] f = Ptb.v4().build();
                f[6] = 0x20; // more-fragments set, offset 0: a first fragment, which the decoder refuses
                l3 = f;
                bad++;
            }
            byte[] framed = linkType == LinkType.ETHERNET ? Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:64", l3) : l3;
            int linkHeader = framed.length - l3.length;
            msgs.add(l3);
            frames.add(framed);
            ports.add(port);
            portAt[i] = port < 0 ? -1 : port + linkHeader;
            checksumAt[i] = port < 0 ? -1 : checksum + linkHeader;
            length[i] = framed.length;
        }
        int total = 0;
        for (int i = 0; i < BATCH; i++) {
            total += (length[i] + 7) & ~7;
        }
        buffer = new byte[total];
        int at = 0;
        for (int i = 0; i < BATCH; i++) {
            byte[] framed = frames.get(i);
            System.arraycopy(framed, 0, buffer, at, framed.length);
            offset[i] = at;
            if (portAt[i] >= 0) {
                portAt[i] += at;
                checksumAt[i] += at;
            }
            at += (length[i] + 7) & ~7;
        }
        this.valid = v;
        this.duplicates = d;
        this.excluded = x;
        this.invalid = bad;
    }

    private static int checksumOffset(byte[] l3) {
        return (l3[0] & 0xf0) == 0x60 ? 42 : 22;
    }

    /** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for the two 16-bit words at {@code p} becoming {@code hi}, {@code lo}. */
    private static void updateChecksum(byte[] b, int at, int p, int hi, int lo) {
        long sum = ~u16(b, at) & 0xffff;
        sum += (~u16(b, p) & 0xffff) + hi + (~u16(b, p + 2) & 0xffff) + lo;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        int c = (int) ~sum & 0xffff;
        b[at] = (byte) (c >>> 8);
        b[at + 1] = (byte) c;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    /**
     * Makes this round's new messages differ from every earlier round's (embedded ports = the 32-bit
     * round number), duplicates included, so they remain duplicates of their originals.
     */
    public void freshen(int round) {
        byte b0 = (byte) (round >>> 24);
        byte b1 = (byte) (round >>> 16);
        byte b2 = (byte) (round >>> 8);
        byte b3 = (byte) round;
        byte[] b = buffer;
        for (int i = 0; i < BATCH; i++) {
            int p = portAt[i];
            if (p >= 0) {
                updateChecksum(b, checksumAt[i], p, (round >>> 16) & 0xffff, round & 0xffff);
                b[p] = b0;
                b[p + 1] = b1;
                b[p + 2] = b2;
                b[p + 3] = b3;
            }
        }
    }
}
