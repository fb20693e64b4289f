package dev.qpair.perf;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The measured loops. Closed loop: the next operation starts when the previous one has returned,
 * and each sample is its own service time. Open loop: operations are scheduled at a fixed interval
 * (a target rate) and each is recorded from the time it was due to start, not from when it did
 * start, so an operation delayed by an earlier stall carries that delay: the latency a paced client
 * would see, free of coordinated omission (as wrk2 measures). Neither loop allocates; the histogram
 * never resizes (values above {@link #HIGHEST_NS} are clamped to it).
 */
public final class Sampler {

    /** The largest value a histogram tracks: 10 s. */
    public static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(10);

    private long sink;

    /** A histogram that tracks 1 ns to {@link #HIGHEST_NS} with 3 significant digits and never resizes. */
    public static Histogram newHistogram() {
        return new Histogram(HIGHEST_NS, 3);
    }

    /**
     * Runs {@code samples} closed-loop samples of {@code benchmark.opsPerSample()} operations each,
     * numbered from {@code firstOp}, recording ns per operation.
     *
     * @return the nanoseconds the loop took
     */
    public long closedLoop(Benchmark benchmark, Histogram histogram, long samples, long firstOp) {
        int perSample = benchmark.opsPerSample();
        long op = firstOp;
        long acc = 0;
        long started = System.nanoTime();
        for (long s = 0; s < samples; s++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < perSample; k++) {
                acc += benchmark.operation(op++);
            }
            long perOp = (System.nanoTime() - t0) / perSample;
            histogram.recordValue(Math.min(perOp, HIGHEST_NS));
        }
        long elapsed = System.nanoTime() - started;
        sink += acc;
        return elapsed;
    }

    /**
     * Runs {@code samples} operations, one per sample, starting operation k no earlier than
     * {@code k * intervalNs} after the first; a late operation starts at once (the schedule is kept,
     * not shifted), and each is recorded from its due time to its completion.
     *
     * @return the nanoseconds the loop took
     */
    public long openLoop(Benchmark benchmark, Histogram histogram, long samples, long firstOp, long intervalNs) {
        long op = firstOp;
        long acc = 0;
        long started = System.nanoTime();
        long due = started;
        for (long s = 0; s < samples; s++) {
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            acc += benchmark.operation(op++);
            histogram.recordValue(Math.min(System.nanoTime() - due, HIGHEST_NS));
            due += intervalNs;
        }
        long elapsed = System.nanoTime() - started;
        sink += acc;
        return elapsed;
    }

    /** What the loops consumed; read so that nothing they computed is dead. */
    public long sink() {
        return sink;
    }
}
