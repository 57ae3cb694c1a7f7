package dev.pmtud.core;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.LinkType;
import dev.pmtud.api.Packet;
import dev.pmtud.api.PacketHandler;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import dev.pmtud.testkit.Packets;
import dev.pmtud.testkit.Ptb;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code { type: test-stream }}: hands on frag-needed messages numbered 0, 1, 2... (the number in
 * the outer source, 10.x.y.z, see {@link Packets#setOuterSourceV4}) as fast as the pipeline takes
 * them, until woken or {@value #CAP} were sent; {@code feed: true} makes it hand on only what
 * {@link StreamSource#feed} gives it.
 */
public final class StreamSourceFactory implements SourceFactory {
    /** Bounds the stream: never more than this many messages. */
    static final int CAP = 10_000_000;

    @Override
    public String type() {
        return "test-stream";
    }

    @Override
    public String description() {
        return "test: numbered messages, as fast as they are taken";
    }

    @Override
    public Set<String> keys() {
        return Set.of("feed");
    }

    @Override
    public Source create(ComponentConfig config, PipelineContext context) {
        return new StreamSource(config.bool("feed", false));
    }

    /** The source; its thread and its counts are what the reload tests look at. */
    static final class StreamSource implements Source {
        private final boolean fed;
        private final CountDownLatch woken = new CountDownLatch(1);
        private final BlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
        private volatile int sent;
        private volatile Thread ranOn;
        private volatile int opens;

        StreamSource(boolean fed) {
            this.fed = fed;
        }

        /** A fed source hands on message {@code n} (a stream one ignores this). */
        void feed(int n) {
            queue.add(n);
        }

        int sent() {
            return sent;
        }

        Thread ranOn() {
            return ranOn;
        }

        int opens() {
            return opens;
        }

        @Override
        public void open() {
            opens++;
        }

        @Override
        public void run(PacketHandler handler) {
            ranOn = Thread.currentThread();
            byte[] l3 = Ptb.v4().mtu(1400).build();
            Packet packet = new Packet();
            int n = 0;
            while (woken.getCount() > 0 && n < CAP) {
                int number = n;
                if (fed) {
                    try {
                        Integer next = queue.poll(10, TimeUnit.MILLISECONDS);
                        if (next == null) {
                            continue;
                        }
                        number = next;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                Packets.setOuterSourceV4(l3, number);
                handler.handle(packet.wrap(l3, 0, l3.length, LinkType.RAW, Packets.T0 + n));
                sent = ++n;
            }
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
    }
}
