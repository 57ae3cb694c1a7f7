package dev.pmtud.app.rules;

import dev.pmtud.source.nflog.NflogSettings;
import dev.pmtud.source.nflog.NflogSource;
import dev.pmtud.testkit.Netns;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What a capture rule really delivers: NFLOG group 33 bound inside a namespace, each packet copied into a queue. */
final class NflogReceiver implements AutoCloseable {
    private final NflogSource source;
    private final Thread thread;
    private final BlockingQueue<byte[]> seen = new LinkedBlockingQueue<>();

    private NflogReceiver(NflogSource source) {
        this.source = source;
        this.thread = new Thread(() -> {
            try {
                source.run(p -> seen.add(Arrays.copyOfRange(p.buffer(), p.offset(), p.offset() + p.length())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "nflog-receiver");
    }

    static NflogReceiver open(Netns ns) throws Exception {
        NflogSource s = ns.call(() -> {
            NflogSource src = new NflogSource(NflogSettings.defaults(33), "nflog", System.getLogger("nflog"));
            src.open();
            return src;
        });
        NflogReceiver r = new NflogReceiver(s);
        r.thread.start();
        return r;
    }

    /** The next delivered packet (the IP packet the rule logged), or null after {@code timeout}. */
    byte[] poll(long timeout, TimeUnit unit) throws InterruptedException {
        return seen.poll(timeout, unit);
    }

    /** Closes the source and checks that its thread ended. */
    @Override
    public void close() throws InterruptedException {
        source.close();
        thread.join(3000);
        if (thread.isAlive()) {
            throw new AssertionError("the NFLOG source thread did not end after close");
        }
    }
}
