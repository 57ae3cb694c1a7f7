package dev.pmtud.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The one allocation probe every hot-path test uses: the bytes a thread allocated
 * ({@code com.sun.management.ThreadMXBean}) over a warmed-up run of packets, on this thread
 * ({@link #bytesAllocated}) or on the thread that runs the path ({@link #allocatedBytes(Thread)}),
 * and the same check again in a child JVM with C1 only ({@link #assertPassesUnderC1}).
 */
public final class AllocationCheck {
    /** What a child JVM's {@code main} prints once its check passed. */
    private static final String PASSED = "allocation check passed";

    /** Handles packets {@code from} (inclusive) to {@code to} (exclusive). */
    @FunctionalInterface
    public interface PacketRun {
        void run(int from, int to);
    }

    private AllocationCheck() {
    }

    public static void assumeMeasurable() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs a JVM that counts allocated bytes per thread");
    }

    /**
     * Runs packets {@code [0, packets)} twice to warm up (tables fill and the loop gets compiled: the
     * interpreter's own work allocates), then returns what this thread allocated over
     * {@code [packets, 2 * packets)}.
     */
    public static long bytesAllocated(PacketRun run, int packets) {
        run.run(0, packets);
        run.run(0, packets);
        long before = allocatedBytes();
        run.run(packets, 2 * packets);
        return allocatedBytes() - before;
    }

    private static long allocatedBytes() {
        return threads().getCurrentThreadAllocatedBytes();
    }

    /**
     * What {@code thread} allocated since it started, for a path that runs on another thread (a
     * source's): read it before and after a measured run.
     */
    public static long allocatedBytes(Thread thread) {
        assumeMeasurable();
        return threads().getThreadAllocatedBytes(thread.getId());
    }

    private static com.sun.management.ThreadMXBean threads() {
        return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    }

    /**
     * Runs {@code test}'s {@code main} in a JVM with C1 only ({@code -XX:TieredStopAtLevel=1}, the
     * footprint option) and fails unless it ends with {@link #passed()}.
     */
    public static void assertPassesUnderC1(Class<?> test) throws IOException, InterruptedException {
        assumeMeasurable();
        String out = ForkedJvm.run(test, List.of("-XX:TieredStopAtLevel=1", "-Xmx256m"), 120);
        assertTrue(out.contains(PASSED), out);
    }

    /** The last call of a child JVM's {@code main}, once its check passed. */
    public static void passed() {
        System.out.println(PASSED);
    }
}
