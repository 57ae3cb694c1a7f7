package dev.pmtud.source.pcap;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import java.util.Set;

/**
 * {@code { type: pcap, interface: eth0, snaplen: 2048, buffer: 4MiB, filter: "...",
 * promiscuous: false, immediate: true }}.
 */
public final class PcapLiveSourceFactory implements SourceFactory {
    @Override
    public String type() {
        return "pcap";
    }

    @Override
    public String description() {
        return "live capture of ICMP frag-needed / ICMPv6 packet-too-big on one interface (libpcap, BPF)";
    }

    @Override
    public Set<String> keys() {
        return Set.of("interface", "snaplen", "buffer", "filter", "promiscuous", "immediate");
    }

    @Override
    public Source create(ComponentConfig config, PipelineContext context) {
        String iface = config.string("interface").trim();
        if (iface.isEmpty() || iface.length() > 15 || iface.contains("/") || iface.contains(" ")) {
            throw config.error("interface", "is '" + iface + "'; it must be an interface name such as eth0 (or any)");
        }
        int snaplen = config.integer("snaplen", 2048, 128, 262144);
        long buffer = config.size("buffer", 4L << 20, 64L << 10, 1L << 30);
        String filter = config.has("filter") ? config.string("filter") : null;
        if (filter != null && filter.isBlank()) {
            throw config.error("filter", "is empty; leave it out for the default filter or write a BPF expression");
        }
        boolean promiscuous = config.bool("promiscuous", false);
        boolean immediate = config.bool("immediate", true);
        return new PcapLiveSource(iface, snaplen, (int) buffer, filter, promiscuous, immediate, context, config.string("name", "pcap"));
    }
}
