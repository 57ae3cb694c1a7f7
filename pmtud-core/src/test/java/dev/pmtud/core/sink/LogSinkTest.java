package dev.pmtud.core.sink;

import static dev.pmtud.testkit.Packets.T0;
import static dev.pmtud.testkit.Cfg.block;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.testkit.Packets;
import dev.pmtud.testkit.Ptb;
import dev.pmtud.testkit.TestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class LogSinkTest {

    @Test
    void logsOneInfoLineWithSourceMtuAndFlow() throws Exception {
        PipelineContext context = new TestContext().withLogger("dev.pmtud.test.sink.audit");
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("dev.pmtud.test.sink.audit");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try {
            Sink sink = new LogSinkFactory().create(
                    new ComponentConfig(block(1, "log", "name", "audit"), "sinks[0] (audit: log)"), context);
            sink.open();
            sink.send(Packets.of(Ptb.v4().from("203.0.113.5").mtu(1380).udp("192.0.2.10", 53, "198.51.100.7", 40001), T0));
            sink.close();
        } finally {
            jul.removeHandler(capture);
        }
        assertEquals(1, records.size());
        assertEquals(Level.INFO, records.get(0).getLevel());
        String line = records.get(0).getMessage();
        assertTrue(line.contains("203.0.113.5") && line.contains("mtu 1380") && line.contains("192.0.2.10:53")
                && line.contains("198.51.100.7:40001"), line);
    }
}
