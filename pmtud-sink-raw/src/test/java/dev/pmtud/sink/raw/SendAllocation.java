package dev.pmtud.sink.raw;

import dev.pmtud.api.Packet;
import java.lang.management.ManagementFactory;

/** What the calling thread allocates while a sink sends: the hot path must allocate nothing per message. */
final class SendAllocation {
    private SendAllocation() {
    }

    /** Bytes this thread allocated over {@code measured} sends of {@code packet}, after {@code warmup} sends. */
    static long bytes(RawSink sink, Packet packet, int warmup, int measured) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < warmup; i++) {
            sink.send(packet);
        }
        long before = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < measured; i++) {
            sink.send(packet);
        }
        return mx.getThreadAllocatedBytes(id) - before;
    }
}
