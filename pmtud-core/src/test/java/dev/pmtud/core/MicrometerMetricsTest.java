package dev.pmtud.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pmtud.api.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MicrometerMetricsTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MicrometerMetrics metrics = new MicrometerMetrics(meters, "node-a");

    @Test
    void countersCarryTheNodeTag() {
        Metrics.Counter c = metrics.counter("pmtud_peer_sent_total", "help", "sink", "raw", "peer", "198.51.100.2");
        c.increment();
        c.add(4);
        assertEquals(5, c.count());
        assertEquals(5.0, meters.get("pmtud_peer_sent_total")
                .tags("node", "node-a", "sink", "raw", "peer", "198.51.100.2").counter().count());
    }

    @Test
    void functionCountersAndGaugesReadTheirSupplierWhenScraped() {
        AtomicLong lost = new AtomicLong(7);
        metrics.functionCounter("pmtud_source_lost_total", "help", lost::get, "source", "nflog");
        metrics.gauge("pmtud_something", "help", () -> 3, "sink", "raw");
        System.gc();
        lost.set(9);
        assertEquals(9.0, meters.get("pmtud_source_lost_total").tag("node", "node-a").functionCounter().count());
        assertEquals(3.0, meters.get("pmtud_something").tag("node", "node-a").gauge().value());
    }

    @Test
    void refusesAnOddNumberOfTagStrings() {
        assertThrows(IllegalArgumentException.class, () -> metrics.counter("x_total", "help", "sink"));
    }
}
