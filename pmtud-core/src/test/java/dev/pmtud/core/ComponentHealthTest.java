package dev.pmtud.core;

import static dev.pmtud.testkit.Cfg.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Health;
import dev.pmtud.testkit.MemorySink;
import dev.pmtud.testkit.MemorySource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health SPI as the runtime reads it: problems() (what /readyz shows) and the failing gauges. */
class ComponentHealthTest {
    private final MeterRegistry meters = new SimpleMeterRegistry();

    private double gauge(String name, String kind, String label) {
        return meters.get(name).tags(kind, label, "pipeline", "main", "node", "node-a").gauge().value();
    }

    @Test
    void aFailingSinkOrSourceIsNamedWithItsReasonAndGaugedUntilItRecovers() throws Exception {
        MemorySink sink = new MemorySink();
        MemorySource source = new MemorySource(List.of(), true);
        try (NodeRuntime rt = NodeRuntime.builder(map(1, "node", "node-a"), NodeRuntimeTest.REGISTRY).meterRegistry(meters)
                .replaceSources(List.of(source)).replaceSinks(List.of(sink)).build()) {
            assertEquals(List.of(), rt.problems(), "nothing before start: the sinks are not open");
            rt.start();
            assertEquals(List.of(), rt.problems());
            assertEquals(0, gauge("pmtud_sink_failing", "sink", "output"));
            assertEquals(0, gauge("pmtud_source_failing", "source", "replay"));

            sink.reporting(Health.failing("interface eth0 is gone since 2026-12-01T12:00:00Z"));
            source.reporting(Health.failing("interface eth1 is gone"));
            assertEquals(List.of("pipeline main, source replay: interface eth1 is gone",
                    "pipeline main, sink output: interface eth0 is gone since 2026-12-01T12:00:00Z"), rt.problems());
            assertEquals(1, gauge("pmtud_sink_failing", "sink", "output"));
            assertEquals(1, gauge("pmtud_source_failing", "source", "replay"));
            assertTrue(rt.ready(), "ready() is still about the source threads; /readyz adds problems()");

            sink.reporting(Health.OK);
            source.reporting(Health.OK);
            assertEquals(List.of(), rt.problems());
            assertEquals(0, gauge("pmtud_sink_failing", "sink", "output"));
        }
    }
}
