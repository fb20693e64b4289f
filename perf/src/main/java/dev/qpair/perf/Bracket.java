package dev.qpair.perf;

/**
 * The limit's p50 measured right before and right after a result. The machine drifts between speed
 * states, so a result is only compared with the limit that bracketed it: its p50 is the mean of the
 * two, and the result is stable when the two differ by at most {@code tolerance} of the smaller.
 */
public record Bracket(long beforeNs, long afterNs) {

    /** The default tolerance: 20 %. */
    public static final double TOLERANCE = 0.20;

    public Bracket {
        if (beforeNs <= 0 || afterNs <= 0) {
            throw new IllegalArgumentException("limit p50 must be positive, got before " + beforeNs
                    + " ns, after " + afterNs + " ns");
        }
    }

    /** The bracketing limit: the mean of the two limit p50s, in ns. */
    public double limitP50Ns() {
        return (beforeNs + afterNs) / 2.0;
    }

    /** |before - after| / min(before, after). */
    public double spread() {
        return Math.abs(beforeNs - afterNs) / (double) Math.min(beforeNs, afterNs);
    }

    public boolean stable(double tolerance) {
        return spread() <= tolerance;
    }

    /** {@code valueNs} as a multiple of the bracketing limit's p50. */
    public double ratio(double valueNs) {
        return valueNs / limitP50Ns();
    }
}
