package dev.pmtud.sink.raw;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds raw sinks through their factory, from a config block written as key/value pairs. */
final class Sinks {
    private Sinks() {
    }

    static ComponentConfig config(String... keysAndValues) {
        Map<String, ConfigNode> m = new LinkedHashMap<>();
        m.put("type", ConfigNode.scalar("test.yaml", 1, "raw"));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], ConfigNode.scalar("test.yaml", 2 + i / 2, keysAndValues[i + 1]));
        }
        return new ComponentConfig(ConfigNode.map("test.yaml", 1, m), "sinks[0] (raw)");
    }

    static RawSink create(TestContext ctx, String... keysAndValues) {
        return (RawSink) new RawSinkFactory().create(config(keysAndValues), ctx);
    }

    /** A decoded packet over {@code l3} as an NFLOG source would hand it on. */
    static Packet packet(byte[] l3) {
        Packet p = new Packet().wrap(l3, 0, l3.length, LinkType.RAW, 1L);
        if (!p.decode()) {
            throw new IllegalArgumentException("test message is invalid: " + p.invalidReason());
        }
        return p;
    }
}
