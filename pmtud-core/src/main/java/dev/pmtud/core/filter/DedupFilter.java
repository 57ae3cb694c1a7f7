package dev.pmtud.core.filter;

import dev.pmtud.api.Filter;
import dev.pmtud.api.Packet;
import dev.pmtud.api.Verdict;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Drops a message when the same message was let through less than {@code window} ago (packet time).
 * A copy coming back from a peer, or a router repeating itself, is identical in everything that
 * matters to the kernel: outer source, ICMP type/code, next-hop MTU, and the embedded flow (source,
 * destination, protocol, ports). The embedded TCP sequence number is deliberately left out: routers
 * answer every oversized segment, and those differ only in sequence.
 *
 * <p>Window edge: a repeat exactly {@code window} after the pass is let through again (and starts a
 * new window); only strictly younger repeats are duplicates. Time going backwards by less than a
 * window counts as within it; by a window or more, the entry counts as expired.
 *
 * <p>Memory is bounded: at most {@code maxEntries} keys, allocated as they arrive
 * ({@link BoundedKeyIndex}). When full, the key let through longest ago is
 * forgotten; forgetting one still inside its window is counted as an eviction.
 */
public final class DedupFilter implements Filter {
    public static final String DUPLICATE = "duplicate";
    private static final Verdict DROP_DUPLICATE = Verdict.drop(DUPLICATE);

    // key layout: version, type, code, mtu(4), protocol, transport word(4), outer src, inner src, inner dst
    private static final int FIXED = 12;
    private static final int KEY_WIDTH = FIXED + 3 * 16;

    private final long windowNanos;
    private final BoundedKeyIndex index;
    private long[] passedAt;
    private long evictions;

    public DedupFilter(long windowNanos, int maxEntries) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("window must be positive, got " + windowNanos + " ns");
        }
        this.windowNanos = windowNanos;
        this.index = new BoundedKeyIndex(maxEntries, KEY_WIDTH, records -> passedAt = Arrays.copyOf(passedAt, records));
        this.passedAt = new long[index.records()];
    }

    @Override
    public Verdict apply(Packet packet) {
        int length = writeKey(packet, index.key());
        long now = packet.timestampNanos();
        int r = index.find(length);
        if (r >= 0) {
            if (withinWindow(now, passedAt[r])) {
                return DROP_DUPLICATE;
            }
            // Expired: re-insert so the ring (insertion order) stays in pass order for eviction.
            index.remove(r);
        }
        r = index.insert(length);
        if (index.lastInsertEvicted() && withinWindow(now, passedAt[r])) {
            evictions++;
        }
        passedAt[r] = now;
        return Verdict.PASS;
    }

    private boolean withinWindow(long now, long passed) {
        long age = now - passed;
        return age < windowNanos && age > -windowNanos;
    }

    private static int writeKey(Packet p, byte[] k) {
        byte[] b = p.buffer();
        int alen = p.addressLength();
        long mtu = p.nextHopMtu();
        int word = p.innerTransportWord();
        k[0] = (byte) p.ipVersion();
        k[1] = (byte) p.icmpType();
        k[2] = (byte) p.icmpCode();
        k[3] = (byte) (mtu >>> 24);
        k[4] = (byte) (mtu >>> 16);
        k[5] = (byte) (mtu >>> 8);
        k[6] = (byte) mtu;
        k[7] = (byte) p.innerProtocol();
        k[8] = (byte) (word >>> 24);
        k[9] = (byte) (word >>> 16);
        k[10] = (byte) (word >>> 8);
        k[11] = (byte) word;
        System.arraycopy(b, p.outerSourceOffset(), k, FIXED, alen);
        System.arraycopy(b, p.innerSourceOffset(), k, FIXED + alen, alen);
        System.arraycopy(b, p.innerDestinationOffset(), k, FIXED + 2 * alen, alen);
        return FIXED + 3 * alen;
    }

    /** Keys forgotten while still inside their window, because the table was full. */
    public long evictions() {
        return evictions;
    }

    /** Keys held now. */
    public int size() {
        return index.size();
    }

    public int capacity() {
        return index.capacity();
    }

    @Override
    public Collection<String> dropReasons() {
        return List.of(DUPLICATE);
    }
}
