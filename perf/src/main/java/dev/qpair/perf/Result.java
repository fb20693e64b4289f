package dev.qpair.perf;

import org.HdrHistogram.Histogram;

/**
 * One row of a run, as printed and written to JSON: the benchmark's figures in ns per operation,
 * its rate, its allocation per operation, and the limit that bracketed it.
 */
public record Result(String name, Benchmark.Kind kind, boolean peer, int sizeBytes, Params params, Measurement measurement,
                     Bracket bracket, boolean stable, int attempts) {

    public Histogram histogram() {
        return measurement.histogram();
    }

    public double meanNs() {
        return histogram().getMean();
    }

    public long minNs() {
        return histogram().getMinValue();
    }

    public long percentileNs(double percentile) {
        return histogram().getValueAtPercentile(percentile);
    }

    public long maxNs() {
        return histogram().getMaxValue();
    }

    public double opsPerSecond() {
        return measurement.opsPerSecond();
    }

    public double mibPerSecond() {
        return opsPerSecond() * sizeBytes / (1024.0 * 1024.0);
    }

    public double allocatedBytesPerOp() {
        return measurement.allocatedBytesPerOp();
    }

    /** The p50 as a multiple of the bracketing limit's p50. */
    public double ratioToLimitP50() {
        return bracket.ratio(percentileNs(50));
    }
}
