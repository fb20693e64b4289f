package dev.qpair.perf;

import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import org.HdrHistogram.Histogram;

/**
 * Runs one benchmark on the calling thread: warm-up into a scratch histogram, then the measured
 * samples in chunks, metering the bytes this thread allocates around each chunk's loop only and
 * printing progress between chunks on long runs.
 *
 * <p>The warm-up runs the asked samples, then goes on in windows of {@value #SETTLE_WINDOW_MS} ms
 * until the JIT has finished no compilation in {@value #QUIET_WINDOWS} windows in a row (the
 * compilers' total time, {@link CompilationMXBean}, is unchanged), for at most
 * {@value #SETTLE_CAP_MS} ms more. A count alone is not enough: on two cores a busy-polling device
 * thread's hot path reached C2 only after 50,000 write-lat samples had ended, so part of the row
 * measured C1's profiling code. A warm-up of 0 samples asks for none and gets none.
 */
public final class Runner {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long CHUNK = 1 << 16;
    static final int SETTLE_WINDOW_MS = 50;
    static final int QUIET_WINDOWS = 2;
    static final int SETTLE_CAP_MS = 3000;
    /** Samples between clock checks while the warm-up waits for the JIT. */
    private static final long SETTLE_CHUNK = 1 << 10;
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private static final long PROGRESS_EVERY_NS = 2_000_000_000L;

    private final Sampler sampler = new Sampler();
    private final PrintStream progress;

    public Runner(PrintStream progress) {
        this.progress = progress;
    }

    /** Bytes allocated so far by the calling thread. */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Measures an opened benchmark.
     *
     * @param intervalNs 0 for closed loop, otherwise the open-loop interval between operations
     */
    public Measurement measure(Benchmark benchmark, long warmupSamples, long samples, long intervalNs) {
        return measure(benchmark, warmupSamples, samples, intervalNs, 0);
    }

    /**
     * Measures an opened benchmark, stopping the measured samples after the chunk that passes
     * {@code timeLimitNanos} (0: no cap); the warm-up always runs in full.
     *
     * @param intervalNs 0 for closed loop, otherwise the open-loop interval between operations
     */
    public Measurement measure(Benchmark benchmark, long warmupSamples, long samples, long intervalNs,
                               long timeLimitNanos) {
        Histogram scratch = Sampler.newHistogram();
        long op = run(benchmark, scratch, warmupSamples, 0, intervalNs, null, 0, 0);
        Settled settled = warmupSamples > 0 ? settle(benchmark, scratch, intervalNs, op) : new Settled(op, true);
        long first = settled.nextOp();
        long perSample = intervalNs == 0 ? benchmark.opsPerSample() : 1;
        benchmark.measuredFrom(first);
        Histogram histogram = Sampler.newHistogram();
        long[] allocatedAndElapsed = new long[2];
        long end = run(benchmark, histogram, samples, first, intervalNs, allocatedAndElapsed, samples, timeLimitNanos);
        return new Measurement(histogram, end - first, allocatedAndElapsed[1], allocatedAndElapsed[0],
                (first - op) / perSample, settled.quiet());
    }

    /** Where the warm-up left off: the next operation number, and whether the JIT went quiet before the cap. */
    private record Settled(long nextOp, boolean quiet) {
    }

    /**
     * Warms up on from operation {@code op}, window by window, until the JIT has been quiet for
     * {@value #QUIET_WINDOWS} windows or the cap has passed; quiet also when the JVM reports no
     * compilation time.
     */
    private Settled settle(Benchmark benchmark, Histogram scratch, long intervalNs, long op) {
        if (JIT == null || !JIT.isCompilationTimeMonitoringSupported()) {
            return new Settled(op, true);
        }
        long start = System.nanoTime();
        long compiled = JIT.getTotalCompilationTime();
        int quiet = 0;
        while (quiet < QUIET_WINDOWS && System.nanoTime() - start < SETTLE_CAP_MS * 1_000_000L) {
            long windowEnd = System.nanoTime() + SETTLE_WINDOW_MS * 1_000_000L;
            do {
                op = run(benchmark, scratch, SETTLE_CHUNK, op, intervalNs, null, 0, 0);
            } while (System.nanoTime() - windowEnd < 0);
            long now = JIT.getTotalCompilationTime();
            quiet = now == compiled ? quiet + 1 : 0;
            compiled = now;
        }
        return new Settled(op, quiet >= QUIET_WINDOWS);
    }

    private long run(Benchmark benchmark, Histogram histogram, long samples, long firstOp, long intervalNs,
                     long[] allocatedAndElapsed, long total, long timeLimitNanos) {
        long meterCost = allocatedBytes();
        meterCost = allocatedBytes() - meterCost;
        long op = firstOp;
        long done = 0;
        long lastReport = System.nanoTime();
        long deadline = lastReport + timeLimitNanos;
        long perSample = intervalNs == 0 ? benchmark.opsPerSample() : 1;
        while (done < samples && (timeLimitNanos == 0 || System.nanoTime() - deadline < 0)) {
            long chunk = Math.min(CHUNK, samples - done);
            long before = allocatedBytes();
            long elapsed = intervalNs == 0
                    ? sampler.closedLoop(benchmark, histogram, chunk, op)
                    : sampler.openLoop(benchmark, histogram, chunk, op, intervalNs);
            long allocated = allocatedBytes() - before - meterCost;
            done += chunk;
            op += chunk * perSample;
            if (allocatedAndElapsed != null) {
                allocatedAndElapsed[0] += Math.max(0, allocated);
                allocatedAndElapsed[1] += elapsed;
                long now = System.nanoTime();
                if (now - lastReport > PROGRESS_EVERY_NS && progress != null) {
                    progress.printf("  %s: %d%% of %,d samples%n", benchmark.name(), done * 100 / total, total);
                    lastReport = now;
                }
            }
        }
        return op;
    }

    /** What the measured loops consumed. */
    public long sink() {
        return sampler.sink();
    }
}
