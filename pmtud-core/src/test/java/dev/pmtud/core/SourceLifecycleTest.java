package dev.pmtud.core;

import static dev.pmtud.testkit.Cfg.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.Source;
import dev.pmtud.testkit.MemorySink;
import dev.pmtud.testkit.Ptb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The source lifecycle of the SPI, as the runtime drives it: run() on the source's own thread,
 * wakeup() from whichever thread stops it, close() once, on the source's own thread, after run()
 * returned; a source opened but never run closed by the thread that stops the runtime.
 */
class SourceLifecycleTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    /**
     * Records which thread called what, and in which order; live ones wait for wakeup(). Its only
     * synchronisation is the wake-up latch, as the SPI promises a source can do without more.
     */
    private static final class RecordingSource implements Source {
        final boolean live;
        final CountDownLatch woken = new CountDownLatch(1);
        final CountDownLatch running = new CountDownLatch(1);
        final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Thread openedBy;
        volatile Thread ranOn;
        volatile Thread closedBy;
        volatile boolean inRun;
        volatile boolean closedWhileRunning;
        String openFailure;

        RecordingSource(boolean live) {
            this.live = live;
        }

        @Override
        public void open() throws IOException {
            openedBy = Thread.currentThread();
            calls.add("open");
            if (openFailure != null) {
                throw new IOException(openFailure);
            }
        }

        @Override
        public void run(PacketHandler handler) {
            inRun = true;
            ranOn = Thread.currentThread();
            calls.add("run");
            running.countDown();
            byte[] l3 = Ptb.v4().build();
            handler.handle(new Packet().wrap(l3, 0, l3.length, LinkType.RAW, 1L));
            if (live) {
                try {
                    woken.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            calls.add("run returned");
            inRun = false;
        }

        @Override
        public void wakeup() {
            woken.countDown();
        }

        @Override
        public void close() {
            closedWhileRunning |= inRun;
            closedBy = Thread.currentThread();
            calls.add("close");
        }
    }

    private static NodeRuntime runtime(Source... sources) {
        return NodeRuntime.builder(map(1, "node", "node-a"), NodeRuntimeTest.REGISTRY).meterRegistry(new SimpleMeterRegistry())
                .replaceSources(List.of(sources)).replaceSinks(List.of(new MemorySink())).build();
    }

    @Test
    void aLiveSourceIsClosedOnItsOwnThreadAfterRunReturned() throws Exception {
        RecordingSource live = new RecordingSource(true);
        NodeRuntime rt = runtime(live);
        rt.start();
        assertTrue(live.running.await(AWAIT.toSeconds(), TimeUnit.SECONDS));
        assertNull(live.closedBy, "not closed while running");
        Thread stopper = new Thread(rt::close, "stopper");
        stopper.start();
        stopper.join(AWAIT.toMillis());
        assertFalse(stopper.isAlive());

        assertNotNull(live.closedBy, "closed by the time close() returned");
        assertSame(live.ranOn, live.closedBy, "close() ran on the thread that ran run(), not on " + live.closedBy.getName());
        assertEquals("source-replay", live.closedBy.getName());
        assertFalse(live.closedWhileRunning, "close() never overlaps run()");
        assertEquals(List.of("open", "run", "run returned", "close"), live.calls);
        rt.close();
        assertEquals(1, live.calls.stream().filter("close"::equals).count(), "closed once");
    }

    @Test
    void aSourceThatEndsByItselfIsClosedRightAwayOnItsOwnThread() throws Exception {
        RecordingSource file = new RecordingSource(false);
        NodeRuntime rt = runtime(file);
        rt.start();
        assertTrue(rt.awaitSources(AWAIT), "a finite source's thread ends by itself");
        assertSame(file.ranOn, file.closedBy, "closed by its own thread once run() returned, before the runtime is closed");
        assertEquals(List.of("open", "run", "run returned", "close"), file.calls);
        assertTrue(rt.ready(), "a source that reached its end stays ready");
        rt.close();
        assertEquals(1, file.calls.stream().filter("close"::equals).count(), "closing the runtime does not close it again");
    }

    @Test
    void aSourceOpenedButNeverRunIsClosedOnceByTheStoppingThread() throws Exception {
        RecordingSource opened = new RecordingSource(true);
        RecordingSource failing = new RecordingSource(true);
        failing.openFailure = "cannot open on purpose";
        NodeRuntime rt = runtime(opened, failing);
        IOException e = assertThrows(IOException.class, rt::start);
        assertEquals("cannot open on purpose", e.getMessage());

        for (RecordingSource s : List.of(opened, failing)) {
            assertNull(s.ranOn, "never run");
            assertSame(Thread.currentThread(), s.closedBy, "closed by the thread that stopped the runtime");
            assertEquals(List.of("open", "close"), s.calls, "closed once, also after a failed open()");
        }
        rt.close();
        assertEquals(List.of("open", "close"), opened.calls);
    }
}
