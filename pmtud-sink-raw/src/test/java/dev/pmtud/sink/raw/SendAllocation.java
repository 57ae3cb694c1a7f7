package dev.pmtud.sink.raw;

import dev.pmtud.api.Packet;
import dev.pmtud.testkit.AllocationCheck;

/** What the calling thread allocates while a sink sends (the testkit's probe): the hot path must allocate nothing per message. */
final class SendAllocation {
    private SendAllocation() {
    }

    /** Bytes this thread allocated over {@code measured} sends of {@code packet}, after {@code warmup} sends. */
    static long bytes(RawSink sink, Packet packet, int warmup, int measured) throws Exception {
        for (int i = 0; i < warmup; i++) {
            sink.send(packet);
        }
        long before = AllocationCheck.allocatedBytes(Thread.currentThread());
        for (int i = 0; i < measured; i++) {
            sink.send(packet);
        }
        return AllocationCheck.allocatedBytes(Thread.currentThread()) - before;
    }
}
