package dev.pmtud.app.rules;

import dev.pmtud.source.nflog.NflogSettings;
import dev.pmtud.source.nflog.NflogSource;
import dev.pmtud.testkit.Netns;
import dev.pmtud.testkit.SourceThread;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What a capture rule really delivers: NFLOG group 33 bound inside a namespace, each packet copied into a queue. */
final class NflogReceiver implements AutoCloseable {
    private final SourceThread thread;
    private final BlockingQueue<byte[]> seen = new LinkedBlockingQueue<>();

    private NflogReceiver(NflogSource source) {
        this.thread = SourceThread.start(source, p -> seen.add(Arrays.copyOfRange(p.buffer(), p.offset(), p.offset() + p.length())),
                "nflog-receiver");
    }

    static NflogReceiver open(Netns ns) throws Exception {
        NflogSource s = ns.call(() -> {
            NflogSource src = new NflogSource(NflogSettings.defaults(33), "nflog", System.getLogger("nflog"));
            src.open();
            return src;
        });
        return new NflogReceiver(s);
    }

    /** The next delivered packet (the IP packet the rule logged), or null after {@code timeout}. */
    byte[] poll(long timeout, TimeUnit unit) throws InterruptedException {
        return seen.poll(timeout, unit);
    }

    /** Stops the source (its thread closes it) and checks that the thread ended. */
    @Override
    public void close() throws InterruptedException {
        thread.stop(Duration.ofSeconds(3));
    }
}
