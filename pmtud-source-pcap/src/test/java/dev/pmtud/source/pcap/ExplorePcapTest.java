package dev.pmtud.source.pcap;

import dev.pmtud.api.Source;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.SourceThread;
import dev.pmtud.testkit.TestContext;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExplorePcapTest {
    @Test
    void explore() throws Exception {
        Netns.assumeRoot();
        try (Netns rx = Netns.create("rx"); Netns tx = Netns.create("tx")) {
            Netns.veth(rx, "eth0", tx, "eth0");
            Source source = rx.call(() -> {
                Source s = new PcapLiveSourceFactory().create(Cfg.component("sources", "pcap", "interface", "eth0"), new TestContext("t"));
                s.open();
                return s;
            });
            SourceThread t = SourceThread.start(source, p -> { });
            Thread.sleep(500);
            long t0 = System.nanoTime();
            rx.exec("ip", "link", "del", "eth0");
            boolean ended = t.awaitEnd(Duration.ofSeconds(5));
            System.out.println("EXPLORE ended=" + ended + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms failure=" + t.failure());
            if (!ended) { source.wakeup(); t.awaitEnd(Duration.ofSeconds(2)); }
        }
    }
}
