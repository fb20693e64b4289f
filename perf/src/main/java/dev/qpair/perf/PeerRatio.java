package dev.qpair.perf;

import java.util.List;

/**
 * A row's figure as a multiple of the best peer's in the same run, each first normalized by its own
 * bracketing limit (the machine may have changed speed between the two rows). Latency: the row's
 * {@code p50 / limit} over the lowest peer {@code p50 / limit}, so below 1 beats every peer.
 * Bandwidth: the row's {@code ops/s * limit} over the highest peer {@code ops/s * limit}, so above
 * 1 beats every peer.
 *
 * <p>The peers are those of the row's kind that moved the row's message size
 * ({@link Result#sizeBytes()}), so that a 64-byte row meets peers that also move 64 bytes (two
 * cache lines, not one); when the run has no peer of that size, every peer of the kind (the 8-byte
 * baseline peers). NaN when the run has no peer row of the same kind.
 */
public final class PeerRatio {

    private PeerRatio() {
    }

    public static double of(Result row, List<Result> run) {
        double best = best(row, run, true);
        if (Double.isNaN(best)) {
            best = best(row, run, false);
        }
        return Double.isNaN(best) ? Double.NaN : normalized(row) / best;
    }

    private static double best(Result row, List<Result> run, boolean sameSize) {
        double best = Double.NaN;
        for (Result r : run) {
            if (!r.peer() || r.kind() != row.kind() || (sameSize && r.sizeBytes() != row.sizeBytes())) {
                continue;
            }
            double v = normalized(r);
            if (Double.isNaN(best) || (row.kind() == Benchmark.Kind.LATENCY ? v < best : v > best)) {
                best = v;
            }
        }
        return best;
    }

    private static double normalized(Result r) {
        return r.kind() == Benchmark.Kind.LATENCY
                ? r.ratioToLimitP50()
                : r.opsPerSecond() * r.bracket().limitP50Ns();
    }
}
