package dev.qpair.perf;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * spdk_nvme_perf's summary for the nvme-perf rows of a run: IOPS, MiB/s and per-I/O latency
 * (average, min, max, percentiles, in microseconds as spdk_nvme_perf prints them), each row read
 * against figures measured in the same run. A random-read or random-write row is read against its
 * matched copy bound, the {@link MemcpyRandomRate} row of the same direction, I/O size, namespace
 * size and queue depth (the copy its own I/O makes): {@code x limit} (I/O p50 over the row's
 * bracketing limit p50, L), {@code x copy} (IOPS over the bound's copies per second), {@code x copy p50}
 * (the same at the typical sample: the bound's p50 ns per copy over this row's p50 ns per I/O, so
 * that samples in which the scheduler took a CPU away from either thread do not dilute it) and
 * {@code p50/(2L+copy)} (I/O p50 over two limit round trips plus the bound's p50 copy). {@code x hot copy}
 * is IOPS over the {@value MemcpyRate#NAME} row's copies per second, both buffers hot in cache, for
 * reference. Issue 4's targets apply to 4 KiB rows on a memory namespace with a controller thread:
 * at queue depth 1 {@code p50/(2L+copy) <= 1}, at queue depth 32 {@code x copy >= 0.5};
 * {@code target} judges by {@code x copy}, {@code at p50} by {@code x copy p50}. Sequential and mixed
 * rows have no matched bound and show {@code -} there. {@code MMIO db/IO} is the row's SQ tail and CQ
 * head MMIO doorbell writes per measured I/O (fewer with shadow doorbells, rows named {@code -shadow}).
 * Under the table each target row is read once more against the hot copy, with its verdict, so that
 * the matched reading is never the only one shown.
 */
public final class NvmePerfTable {

    private static final String RULE = "=".repeat(234);
    /** Issue 4: at QD32 the controller thread reaches at least this share of the copy bound. */
    public static final double QD32_COPY_SHARE = 0.5;

    private NvmePerfTable() {
    }

    /** Prints the summary when {@code results} holds nvme-perf rows; prints nothing otherwise. */
    public static void print(PrintStream out, List<Result> results) {
        List<Result> rows = results.stream().filter(r -> r.name().startsWith(NvmePerf.NAME + "-")).toList();
        if (rows.isEmpty()) {
            return;
        }
        Map<String, Result> byName = new LinkedHashMap<>();
        for (Result r : results) {
            byName.putIfAbsent(r.name(), r);
        }
        Result hot = byName.get(MemcpyRate.NAME);
        Map<String, List<String>> readers = new LinkedHashMap<>();
        List<String> unmatched = new ArrayList<>();
        for (Result r : rows) {
            String bound = boundName(r);
            if (bound == null) {
                unmatched.add(r.name());
            } else {
                readers.computeIfAbsent(bound, b -> new ArrayList<>()).add(r.name());
            }
        }
        out.println(RULE);
        out.println(" nvme-perf (spdk_nvme_perf style): NVMe controller model, one I/O qpair, one namespace; latency per I/O,"
                + " from before its submit burst to its completion callback, in us; L = each row's bracketing limit p50");
        out.println(" copy bounds (same run): each random row is read against the plain copy its own I/O makes (the controller's"
                + " MemorySegment.copy over the same random blocks), the bound row of its direction, I/O size, namespace size"
                + " and queue depth; a file row against the memory bound of the same parameters (not a target row):");
        for (Map.Entry<String, List<String>> e : readers.entrySet()) {
            Result bound = byName.get(e.getKey());
            if (bound == null) {
                out.printf("   %s: missing from this run, so no x copy, p50/(2L+copy) or verdict for %s%n", e.getKey(),
                        String.join(", ", e.getValue()));
            } else {
                out.printf("   %s: %,.0f copies/s, p50 %d ns per copy (%s, %d B, random blocks of a %s MiB region,"
                                + " host buffers: %s) for %s%n", e.getKey(), bound.opsPerSecond(), bound.percentileNs(50),
                        bound.params().get("direction"), bound.sizeBytes(), bound.params().get("region_mib"),
                        bound.params().get("buffers"), String.join(", ", e.getValue()));
            }
        }
        if (!unmatched.isEmpty()) {
            out.println("   none for sequential or mixed rows (not target rows), which show - there: "
                    + String.join(", ", unmatched));
        }
        String mib = rows.stream().map(r -> String.valueOf(r.params().get("namespace_mib")))
                .distinct().collect(Collectors.joining("/"));
        out.println(" why: a random I/O on a " + mib + " MiB namespace copies lines from outside the core's L1 and L2 (on this"
                + " machine mostly from the shared L3), which a copy between two cache-hot buffers never does; " + (hot == null
                ? "no " + MemcpyRate.NAME + " row in this run, so no x hot copy"
                : String.format("the hot copy (%s, same run: %,.0f copies/s, p50 %d ns per 4 KiB copy) is shown for"
                        + " reference as x hot copy", MemcpyRate.NAME, hot.opsPerSecond(), hot.percentileNs(50))));
        out.println(" targets (issue 4; 4 KiB, memory namespace, controller thread), against each row's matched copy: QD1"
                + " p50/(2L+copy) <= 1; QD32 x copy >= " + QD32_COPY_SHARE + " (target: by IOPS over the whole row; at"
                + " p50: by the typical sample, bound p50 ns per copy / row p50 ns per I/O)");
        out.println(RULE);
        out.printf(" %-38s : %11s %10s %9s %9s %10s %9s %9s %9s %9s %9s %8s %7s %10s %13s %10s %10s %6s %7s %7s%n",
                "Device Information", "IOPS", "MiB/s", "Average", "min", "max", "p50", "p90", "p99", "p99.9", "p99.99",
                "x limit", "x copy", "x copy p50", "p50/(2L+copy)", "x hot copy", "MMIO db/IO", "stable", "target",
                "at p50");
        for (Result r : rows) {
            String boundName = boundName(r);
            Result copy = boundName == null ? null : byName.get(boundName);
            double p50 = io(r, "p50");
            double limit = r.bracket().limitP50Ns();
            double xCopy = copy == null ? Double.NaN : r.opsPerSecond() / copy.opsPerSecond();
            double xCopyP50 = copy == null ? Double.NaN : (double) copy.percentileNs(50) / Math.max(1, r.percentileNs(50));
            double qd1 = copy == null ? Double.NaN : p50 / (2 * limit + copy.percentileNs(50));
            double xHot = hot == null ? Double.NaN : r.opsPerSecond() / hot.opsPerSecond();
            out.printf(" %-38s : %,11.2f %10.2f %9.2f %9.2f %10.2f %9.2f %9.2f %9.2f %9.2f %9.2f %8.2f %7s %10s %13s %10s %10s %6s %7s %7s%n",
                    r.name(), r.opsPerSecond(), r.mibPerSecond(), io(r, "mean") / 1e3, io(r, "min") / 1e3,
                    io(r, "max") / 1e3, p50 / 1e3, io(r, "p90") / 1e3, io(r, "p99") / 1e3, io(r, "p999") / 1e3,
                    io(r, "p9999") / 1e3, p50 / limit, ratio(xCopy, "%.3f"), ratio(xCopyP50, "%.3f"), ratio(qd1, "%.2f"),
                    ratio(xHot, "%.3f"), ratio(mmioPerIo(r), "%.3f"), r.stable() ? "yes" : "NO(" + r.attempts() + ")",
                    verdict(r, xCopy, qd1), verdict(r, xCopyP50, qd1));
        }
        printHotReading(out, rows, hot);
        out.println(RULE);
    }

    /**
     * The same targets read against the cache-hot copy instead of the matched one, for each target row: the reading
     * earlier runs used, printed so that the verdict columns are never the only reading shown.
     */
    private static void printHotReading(PrintStream out, List<Result> rows, Result hot) {
        if (hot == null) {
            return;
        }
        List<Result> targeted = rows.stream().filter(NvmePerfTable::targeted).toList();
        if (targeted.isEmpty()) {
            return;
        }
        out.println(" the same targets against the cache-hot copy (" + MemcpyRate.NAME + ") instead of the matched one;"
                + " not the verdict columns:");
        for (Result r : targeted) {
            double qd1 = io(r, "p50") / (2 * r.bracket().limitP50Ns() + hot.percentileNs(50));
            double xHot = r.opsPerSecond() / hot.opsPerSecond();
            out.printf("   %-38s : %s%n", r.name(), queueDepthOne(r)
                    ? String.format("p50/(2L+hot copy) = %.2f, %s", qd1, verdict(r, xHot, qd1))
                    : String.format("x hot copy = %.3f, %s", xHot, verdict(r, xHot, qd1)));
        }
    }

    /** Whether issue 4 sets a target for {@code r}: 4 KiB randread or randwrite on memory, controller thread, QD1 or QD32. */
    static boolean targeted(Result r) {
        Object depth = r.params().get("queue_depth");
        Object rw = r.params().get("rw");
        return r.sizeBytes() == 4096 && "memory".equals(r.params().get("namespace"))
                && "thread".equals(r.params().get("device_mode"))
                && (NvmeWorkload.RANDREAD.label().equals(rw) || NvmeWorkload.RANDWRITE.label().equals(rw))
                && (queueDepthOne(r) || Long.valueOf(32).equals(depth));
    }

    private static boolean queueDepthOne(Result r) {
        return Long.valueOf(1).equals(r.params().get("queue_depth"));
    }

    /** The name of the {@link MemcpyRandomRate} row {@code row} is read against, or null when its pattern has none. */
    static String boundName(Result row) {
        Object rw = row.params().get("rw");
        Object mib = row.params().get("namespace_mib");
        Object depth = row.params().get("queue_depth");
        if (!(rw instanceof String label) || !(mib instanceof Long nsMib) || !(depth instanceof Long qd)) {
            return null;
        }
        return MemcpyRandomRate.nameFor(NvmeWorkload.parse("rw", label), row.sizeBytes(), nsMib.intValue(), qd.intValue());
    }

    /** {@code met} or {@code MISSED} for the rows issue 4 sets a target for, {@code -} for the others. */
    static String verdict(Result r, double xCopy, double qd1) {
        if (!targeted(r) || Double.isNaN(xCopy)) {
            return "-";
        }
        if (queueDepthOne(r)) {
            return qd1 <= 1 ? "met" : "MISSED";
        }
        return xCopy >= QD32_COPY_SHARE ? "met" : "MISSED";
    }

    private static double mmioPerIo(Result r) {
        return r.params().get("mmio_doorbells_per_io") instanceof Double d ? d : Double.NaN;
    }

    private static double io(Result r, String what) {
        Object value = r.params().get("io_latency_" + what + "_ns");
        return value instanceof Long l ? l : Double.NaN;
    }

    private static String ratio(double value, String format) {
        return Double.isNaN(value) ? "-" : String.format(format, value);
    }
}
