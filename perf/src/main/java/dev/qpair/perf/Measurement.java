package dev.qpair.perf;

import org.HdrHistogram.Histogram;

/**
 * One measured run of a benchmark: its histogram (ns per operation), how many operations ran,
 * how long the loop took, and the bytes the measuring thread allocated during it; and its
 * warm-up: the samples run past the asked ones while the JIT was still compiling, and whether it
 * went quiet before the cap ({@link Runner}).
 */
public record Measurement(Histogram histogram, long operations, long elapsedNanos, long allocatedBytes,
                          long extraWarmupSamples, boolean jitSettled) {

    public Measurement(Histogram histogram, long operations, long elapsedNanos, long allocatedBytes) {
        this(histogram, operations, elapsedNanos, allocatedBytes, 0, true);
    }

    public double opsPerSecond() {
        return elapsedNanos == 0 ? 0 : operations * 1e9 / elapsedNanos;
    }

    public double allocatedBytesPerOp() {
        return operations == 0 ? 0 : (double) allocatedBytes / operations;
    }
}
