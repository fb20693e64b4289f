package dev.qpair.perf;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import org.HdrHistogram.Histogram;

/**
 * Runs one benchmark on the calling thread: warm-up into a scratch histogram, then the measured
 * samples in chunks, metering the bytes this thread allocates around each chunk's loop only and
 * printing progress between chunks on long runs.
 */
public final class Runner {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long CHUNK = 1 << 16;
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
        Histogram histogram = Sampler.newHistogram();
        long[] allocatedAndElapsed = new long[2];
        long end = run(benchmark, histogram, samples, op, intervalNs, allocatedAndElapsed, samples, timeLimitNanos);
        return new Measurement(histogram, end - op, allocatedAndElapsed[1], allocatedAndElapsed[0]);
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
