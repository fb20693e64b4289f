package dev.qpair.perf;

import org.HdrHistogram.Histogram;

/**
 * One measured run of a benchmark: its histogram (ns per operation), how many operations ran,
 * how long the loop took, and the bytes the measuring thread allocated during it.
 */
public record Measurement(Histogram histogram, long operations, long elapsedNanos, long allocatedBytes) {

    public double opsPerSecond() {
        return elapsedNanos == 0 ? 0 : operations * 1e9 / elapsedNanos;
    }

    public double allocatedBytesPerOp() {
        return operations == 0 ? 0 : (double) allocatedBytes / operations;
    }
}
