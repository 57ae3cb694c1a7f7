package dev.pmtud.app;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.Health;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test sink whose {@link Sink#health()} the test sets ({@code { type: test-health, switch: NAME }},
 * then {@link #set(String, Health)}), so that {@code /readyz} can be watched naming it and recovering.
 */
public final class HealthSinkFactory implements SinkFactory {
    private static final Map<String, Health> SWITCHES = new ConcurrentHashMap<>();

    static void set(String name, Health health) {
        SWITCHES.put(name, health);
    }

    @Override
    public String type() {
        return "test-health";
    }

    @Override
    public String description() {
        return "test sink: sends nowhere, reports the health the test sets";
    }

    @Override
    public Set<String> keys() {
        return Set.of("switch");
    }

    @Override
    public Sink create(ComponentConfig config, PipelineContext context) {
        String name = config.string("switch");
        return new Sink() {
            @Override
            public void open() {
            }

            @Override
            public void send(Packet packet) {
            }

            @Override
            public Health health() {
                return SWITCHES.getOrDefault(name, Health.OK);
            }

            @Override
            public void close() {
            }
        };
    }
}
