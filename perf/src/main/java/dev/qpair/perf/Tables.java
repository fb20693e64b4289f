package dev.qpair.perf;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * Human-readable tables in perftest's column style: one latency table (ns per round trip, and the
 * p50 as a multiple of the bracketing limit's p50) and one bandwidth table (spdk_nvme_perf's
 * IOPS and MiB/s columns), each row followed by its bracket and stability.
 */
public final class Tables {

    private static final String RULE = "-".repeat(174);

    private Tables() {
    }

    public static void print(PrintStream out, String title, Options options, List<Result> results, Set<String> notes) {
        out.println(RULE);
        out.printf(" %s%n", title);
        out.printf(" measuring thread on CPU %d, peer/device thread on CPU %d; every row bracketed by a %,d-round-trip"
                        + " limit run before and after it; x limit = p50 / mean(limit before, limit after);"
                        + " x peer = x limit / the x limit of the best peer of the same message size (#bytes; the 8-byte"
                        + " peers when none of that size ran), below 1 beats every such peer%n",
                options.measureCpu(), options.peerCpu(), options.bracketIterations());
        out.printf(" latency rows: %s%s%n", options.mode(), options.rate() == 0 ? ""
                : String.format(" at %,d ops/s, each recorded from its due start time (no coordinated omission)",
                        options.rate()));
        for (String note : notes) {
            out.printf(" note: %s%n", note);
        }
        out.println(RULE);
        List<Result> latency = results.stream().filter(r -> r.kind() == Benchmark.Kind.LATENCY).toList();
        if (!latency.isEmpty()) {
            out.printf(" %-38s %6s %11s %9s %8s %8s %8s %8s %9s %10s %10s %8s %6s %8s %17s %6s %5s%n",
                    "name", "#bytes", "#samples", "mean[ns]", "min[ns]", "p50[ns]", "p90[ns]", "p99[ns]",
                    "p99.9[ns]", "p99.99[ns]", "max[ns]", "x limit", "x peer", "limit", "before/after[ns]", "stable", "B/op");
            for (Result r : latency) {
                out.printf(" %-38s %6d %,11d %9.1f %8d %8d %8d %8d %9d %10d %,10d %8.2f %6s %8.0f %17s %6s %5.1f%n",
                        r.name(), r.sizeBytes(), r.histogram().getTotalCount(), r.meanNs(), r.minNs(),
                        r.percentileNs(50), r.percentileNs(90), r.percentileNs(99), r.percentileNs(99.9),
                        r.percentileNs(99.99), r.maxNs(), r.ratioToLimitP50(), peer(r, results), r.bracket().limitP50Ns(),
                        r.bracket().beforeNs() + "/" + r.bracket().afterNs(), stability(r), r.allocatedBytesPerOp());
            }
        }
        List<Result> bandwidth = results.stream().filter(r -> r.kind() == Benchmark.Kind.BANDWIDTH).toList();
        if (!bandwidth.isEmpty()) {
            if (!latency.isEmpty()) {
                out.println(RULE);
            }
            out.printf(" %-38s %6s %14s %12s %10s %9s %8s %8s %6s %8s %17s %6s %5s%n",
                    "name", "#bytes", "ops/s", "MiB/s", "ns/op p50", "mean[ns]", "p99[ns]", "x limit", "x peer", "limit",
                    "before/after[ns]", "stable", "B/op");
            for (Result r : bandwidth) {
                out.printf(" %-38s %6d %,14.0f %,12.1f %10d %9.1f %8d %8.3f %6s %8.0f %17s %6s %5.1f%n",
                        r.name(), r.sizeBytes(), r.opsPerSecond(), r.mibPerSecond(), r.percentileNs(50), r.meanNs(),
                        r.percentileNs(99), r.ratioToLimitP50(), peer(r, results), r.bracket().limitP50Ns(),
                        r.bracket().beforeNs() + "/" + r.bracket().afterNs(), stability(r), r.allocatedBytesPerOp());
            }
        }
        out.println(RULE);
    }

    private static String peer(Result r, List<Result> results) {
        double ratio = PeerRatio.of(r, results);
        return Double.isNaN(ratio) ? "-" : String.format("%.2f", ratio);
    }

    private static String stability(Result r) {
        return r.stable() ? "yes" : "NO(" + r.attempts() + ")";
    }
}
