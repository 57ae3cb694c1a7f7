package dev.pmtud.source.nflog;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: nflog, group: 33, families: [ipv4, ipv6], buffer: 16MiB, batch: 1, flush: 10ms, burst-batch: 32 }}.
 */
public final class NflogSourceFactory implements SourceFactory {

    @Override
    public String type() {
        return "nflog";
    }

    @Override
    public String description() {
        return "ICMP messages logged by an iptables NFLOG rule (NETLINK_NETFILTER, no libnetfilter_log)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("group", "families", "buffer", "batch", "flush", "burst-batch");
    }

    @Override
    public Source create(ComponentConfig config, PipelineContext context) {
        NflogSettings s = settings(config);
        String label = config.has("name") ? config.string("name") : "nflog-" + s.group();
        return new NflogSource(s, label, context.logger(label), context.metrics());
    }

    /** Reads and checks a block; errors name the file, the line and what is allowed. */
    public static NflogSettings settings(ComponentConfig config) {
        int group = config.integer("group", NflogSettings.DEFAULT_GROUP, 0, 65535);
        boolean v4 = true;
        boolean v6 = true;
        if (config.has("families")) {
            List<String> families = config.strings("families");
            v4 = false;
            v6 = false;
            for (String f : families) {
                switch (f.trim()) {
                    case "ipv4": v4 = true; break;
                    case "ipv6": v6 = true; break;
                    default: throw config.error("families", "has '" + f + "'; allowed: ipv4, ipv6");
                }
            }
            if (!v4 && !v6) {
                throw config.error("families", "is empty; list ipv4, ipv6 or both (or leave it out for both)");
            }
        }
        int buffer = (int) config.size("buffer", NflogSettings.DEFAULT_BUFFER, 64 * 1024, 1L << 30);
        int batch = config.integer("batch", NflogSettings.DEFAULT_BATCH, 1, 1024);
        Duration flush = config.duration("flush", NflogSettings.DEFAULT_FLUSH);
        if (flush.toMillis() < 10 || flush.toMillis() > 60_000) {
            throw config.error("flush", "is " + flush.toMillis() + "ms; the kernel counts in 10ms steps: use 10ms to 60s");
        }
        int burst = config.integer("burst-batch", Math.max(batch, NflogSettings.DEFAULT_BURST_BATCH), 1, 1024);
        return new NflogSettings(group, v4, v6, buffer, batch, flush, burst);
    }
}
