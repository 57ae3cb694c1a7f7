package dev.pmtud.source.pcap;

import java.sql.Timestamp;

/** Small conversions between pcap4j's types and pmtud's. */
final class Pcap4j {
    private Pcap4j() {
    }

    /** Epoch nanoseconds of a pcap4j timestamp, exact at nanosecond precision. */
    static long epochNanos(Timestamp ts) {
        // getTime() holds whole seconds plus the milliseconds of getNanos(); keep only the seconds.
        return Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
    }

    /**
     * A one-line error for native code that failed to load: libpcap itself, or JNA (which unpacks
     * its own stub into a temporary directory that must be writable).
     */
    static java.io.IOException loadError(LinkageError e) {
        String m = oneLine(e);
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null) {
            m = m + ": " + oneLine(c);
        }
        if (m.contains("pcap") && !m.contains("jna") && !m.contains("jnidispatch")) {
            return new java.io.IOException(LibPcap.NOT_FOUND + " (" + m + ")");
        }
        return new java.io.IOException("pcap: cannot load JNA's native code (" + m
                + "); make sure -Djna.tmpdir (or java.io.tmpdir) points to a writable, executable directory");
    }

    /** The first line of a native error, without trailing noise, for one-line messages. */
    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).trim();
    }
}
