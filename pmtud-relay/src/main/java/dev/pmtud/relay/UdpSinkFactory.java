package dev.pmtud.relay;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code { type: udp, port: 4390, key-file: /etc/pmtud/relay.key }}. The key file is read at open. */
public final class UdpSinkFactory implements SinkFactory {
    public static final String PORT = "port";
    public static final String KEY_FILE = UdpSourceFactory.KEY_FILE;

    @Override
    public String type() {
        return "udp";
    }

    @Override
    public String description() {
        return "relays each message, outer header unchanged, in a UDP datagram to every peer's udp source: "
                + "HMAC-signed with key-file, go-pmtud's bare packet without";
    }

    @Override
    public Set<String> keys() {
        return Set.of(PORT, KEY_FILE);
    }

    /** The key file: a reload after it changed replaces the component, which reads it at open. */
    @Override
    public List<Path> configurationFiles(ComponentConfig config) {
        Path keyFile = UdpSourceFactory.keyFile(config);
        return keyFile == null ? List.of() : List.of(keyFile);
    }

    @Override
    public Sink create(ComponentConfig config, PipelineContext context) {
        int port = config.integer(PORT, WireFormat.DEFAULT_PORT, 1, 65535);
        String label = config.string("name", "udp");
        return new UdpSink(label, port, UdpSourceFactory.keyFile(config), context);
    }
}
