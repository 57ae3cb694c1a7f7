package dev.pmtud.app;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A test source that reads nothing until woken, like a live source on a quiet link:
 * {@code { type: test-idle, gate: NAME }} makes open() wait until the test calls {@link #open(String)},
 * so readiness can be watched going from not ready to ready.
 */
public final class IdleSourceFactory implements SourceFactory {
    static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

    static CountDownLatch gate(String name) {
        return GATES.computeIfAbsent(name, n -> new CountDownLatch(1));
    }

    static void open(String name) {
        gate(name).countDown();
    }

    @Override
    public String type() {
        return "test-idle";
    }

    @Override
    public String description() {
        return "test source: reads nothing until closed";
    }

    @Override
    public Set<String> keys() {
        return Set.of("gate");
    }

    @Override
    public Source create(ComponentConfig config, PipelineContext context) {
        String gate = config.string("gate", null);
        return new Source() {
            private final CountDownLatch woken = new CountDownLatch(1);

            @Override
            public void open() throws IOException {
                if (gate != null) {
                    try {
                        gate(gate).await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
            }

            @Override
            public void run(PacketHandler handler) throws IOException {
                try {
                    woken.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void wakeup() {
                woken.countDown();
            }

            @Override
            public void close() {
            }
        };
    }
}
