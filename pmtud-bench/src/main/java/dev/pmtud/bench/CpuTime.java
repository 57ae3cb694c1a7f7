package dev.pmtud.bench;

import java.lang.management.ManagementFactory;

/**
 * The JMH benchmarks' loops measured in <em>thread CPU time</em> and <em>thread-allocated bytes</em>
 * instead of wall-clock time: on a machine shared with other work (CI, other builds) wall-clock
 * ns/op counts the time the thread waited for a core, CPU time does not. One JVM = one fork:
 * <pre>
 *   java -Xms256m -Xmx256m -cp benchmarks.jar dev.pmtud.bench.CpuTime decode|chain|pipeline|nflog|raw [CHAIN_SPEC|RATE_LIMIT_KEYS|MODE] [ITERATIONS]
 * </pre>
 * Warms up for 5 one-second iterations, then measures ITERATIONS (default 5) one-second iterations
 * and prints one line per iteration and a summary line:
 * {@code cpu_ns_per_msg=.. msgs_per_cpu_s=.. alloc_bytes_per_msg=..}. {@code raw MODE} is
 * {@link RawSinkBenchmark} (needs root: it opens the sink in a network namespace).
 */
public final class CpuTime {
    private CpuTime() {
    }

    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "chain";
        String spec = args.length > 1 ? args[1] : FilterChainBenchmark.DEFAULT_CHAIN;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Runnable batch;
        if (what.equals("decode")) {
            DecodeBenchmark b = new DecodeBenchmark();
            b.linkType = "RAW";
            b.spacingNanos = 200;
            b.setUp();
            batch = b::decode;
        } else if (what.equals("chain")) {
            FilterChainBenchmark b = new FilterChainBenchmark();
            b.linkType = "RAW";
            b.chain = spec;
            b.spacingNanos = 200;
            b.setUp();
            batch = b::decodeAndFilter;
        } else if (what.equals("pipeline")) {
            PipelineBenchmark b = new PipelineBenchmark();
            b.rateLimit = args.length > 1 ? args[1] : "per-source=1/s burst=2";
            b.spacingNanos = 200;
            try {
                b.setUp();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            batch = b::handle;
            Runtime.getRuntime().addShutdownHook(new Thread(b::tearDown));
        } else if (what.equals("nflog")) {
            NflogBenchmark b = new NflogBenchmark();
            b.spacingNanos = 200;
            b.setUp();
            batch = b::receive;
            Runtime.getRuntime().addShutdownHook(new Thread(b::tearDown));
        } else if (what.equals("raw")) {
            RawSinkBenchmark b = new RawSinkBenchmark();
            b.mode = args.length > 1 ? args[1] : "l3";
            try {
                b.setUp();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            batch = () -> {
                try {
                    b.send();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Runtime.getRuntime().addShutdownHook(new Thread(b::tearDown));
        } else {
            throw new IllegalArgumentException("decode, chain, pipeline, nflog or raw, not " + what);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        double sumNs = 0;
        double sumAlloc = 0;
        long sumMsgs = 0;
        for (int it = -5; it < iterations; it++) {
            long wall0 = System.nanoTime();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long alloc0 = mx.getThreadAllocatedBytes(tid);
            long msgs = 0;
            while (System.nanoTime() - wall0 < 1_000_000_000L) {
                for (int k = 0; k < 256; k++) {
                    batch.run();
                }
                msgs += 256L * MessageMix.BATCH;
            }
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long alloc = mx.getThreadAllocatedBytes(tid) - alloc0;
            long wall = System.nanoTime() - wall0;
            String kind = it < 0 ? "warmup" : "iteration";
            System.out.printf("%s %d: cpu_ns_per_msg=%.2f wall_ns_per_msg=%.2f on_cpu=%.0f%% alloc_bytes_per_msg=%.4f%n",
                    kind, it < 0 ? it + 6 : it + 1, (double) cpu / msgs, (double) wall / msgs, 100.0 * cpu / wall, (double) alloc / msgs);
            if (it >= 0) {
                sumNs += cpu;
                sumAlloc += alloc;
                sumMsgs += msgs;
            }
        }
        System.out.printf("RESULT %s cpu_ns_per_msg=%.2f msgs_per_cpu_s=%.0f alloc_bytes_per_msg=%.4f%n",
                what, sumNs / sumMsgs, sumMsgs / (sumNs / 1e9), sumAlloc / sumMsgs);
    }
}
