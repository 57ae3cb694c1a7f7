package dev.pmtud.app;

import dev.pmtud.api.Packet;
import dev.pmtud.core.Decision;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One line per decision, like cloudflare/pmtud's verbose mode:
 * <pre>
 * 2026-01-01T00:00:00.000000Z forwarded  ICMP frag-needed from 203.0.113.1 mtu 1400 for tcp ...
 * 2026-01-01T00:00:00.010000Z dropped    ICMP frag-needed from ... [dedup: duplicate]
 * 2026-01-01T00:00:00.400000Z invalid    [not-frag-needed]
 * </pre>
 * The time is the packet's capture time, so a replay reads like the capture. When the
 * configuration has several pipelines, each line names its pipeline after the time:
 * {@code 2026-01-01T00:00:00.000000Z [relay] forwarded  ...}.
 */
public final class DecisionPrinter {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final PrintStream out;
    private final boolean namePipelines;

    /** @param namePipelines whether lines name their pipeline (the configuration has several) */
    public DecisionPrinter(PrintStream out, boolean namePipelines) {
        this.out = out;
        this.namePipelines = namePipelines;
    }

    public void decided(String pipeline, Packet packet, Decision decision) {
        out.println(line(namePipelines ? pipeline : null, packet, decision));
    }

    /** @param pipeline the pipeline to name, or {@code null} for none */
    static String line(String pipeline, Packet packet, Decision decision) {
        long ts = packet.timestampNanos();
        StringBuilder sb = new StringBuilder(160);
        TIME.formatTo(Instant.ofEpochSecond(Math.floorDiv(ts, 1_000_000_000L), Math.floorMod(ts, 1_000_000_000L)), sb);
        sb.append(' ');
        if (pipeline != null) {
            sb.append('[').append(pipeline).append("] ");
        }
        switch (decision.outcome()) {
            case FORWARDED -> sb.append("forwarded  ").append(packet.describe());
            case INVALID -> sb.append("invalid    [").append(decision.reason()).append(']');
            case DROPPED -> sb.append("dropped    ").append(packet.describe())
                    .append(" [").append(decision.filter()).append(": ").append(decision.reason()).append(']');
        }
        return sb.toString();
    }
}
