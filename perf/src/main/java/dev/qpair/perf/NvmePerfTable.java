package dev.qpair.perf;

import java.io.PrintStream;
import java.util.List;

/**
 * spdk_nvme_perf's summary for the nvme-perf rows of a run: IOPS, MiB/s and per-I/O latency
 * (average, min, max, percentiles, in microseconds as spdk_nvme_perf prints them), each row read
 * against figures measured in the same run: {@code x limit} (I/O p50 over the row's bracketing
 * limit p50, L), {@code x copy} (IOPS over the 4 KiB copies per second of the
 * {@value MemcpyRate#NAME} row), {@code x copy p50} (the same at the typical sample: the copy row's
 * p50 ns per copy over this row's p50 ns per I/O, so that samples in which the scheduler took a CPU
 * away from either thread do not dilute it) and {@code p50/(2L+copy)} (I/O p50 over two limit round
 * trips plus one 4 KiB copy). Issue 4's targets apply to 4 KiB rows on a memory namespace with a
 * controller thread: at queue depth 1 {@code p50/(2L+copy) <= 1}, at queue depth 32
 * {@code x copy >= 0.5}; {@code target} judges by {@code x copy}, {@code at p50} by {@code x copy p50}.
 * {@code MMIO db/IO} is the row's SQ tail and CQ head MMIO doorbell writes per measured I/O (fewer
 * with shadow doorbells, rows named {@code -shadow}).
 */
public final class NvmePerfTable {

    private static final String RULE = "=".repeat(223);
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
        Result copy = results.stream().filter(r -> r.name().equals(MemcpyRate.NAME)).findFirst().orElse(null);
        out.println(RULE);
        out.println(" nvme-perf (spdk_nvme_perf style): NVMe controller model, one I/O qpair, one namespace; latency per I/O,"
                + " from before its submit burst to its completion callback, in us");
        if (copy == null) {
            out.println(" copy bound: no " + MemcpyRate.NAME + " row in this run, so no x copy or p50/(2L+copy)");
        } else {
            out.printf(" copy bound (%s, same run): %,.0f copies/s, p50 %d ns per 4 KiB copy; L = each row's bracketing"
                    + " limit p50%n", MemcpyRate.NAME, copy.opsPerSecond(), copy.percentileNs(50));
        }
        results.stream().filter(r -> r.name().equals(MemcpyScatteredRate.NAME)).findFirst().ifPresent(r -> out.printf(
                " for reference (%s, same run): %,.0f copies/s, p50 %d ns per 4 KiB copy from random blocks of a %d MiB"
                        + " region, the copy a 4 KiB random read of the default namespace makes%n",
                r.name(), r.opsPerSecond(), r.percentileNs(50), MemcpyScatteredRate.REGION_MIB));
        out.println(" targets (issue 4; 4 KiB, memory namespace, controller thread): QD1 p50/(2L+copy) <= 1;"
                + " QD32 x copy >= " + QD32_COPY_SHARE + " (target: by IOPS over the whole row; at p50: by the typical"
                + " sample, copy p50 ns / row p50 ns per I/O)");
        out.println(RULE);
        out.printf(" %-38s : %11s %10s %9s %9s %10s %9s %9s %9s %9s %9s %8s %7s %10s %13s %10s %6s %7s %7s%n",
                "Device Information", "IOPS", "MiB/s", "Average", "min", "max", "p50", "p90", "p99", "p99.9", "p99.99",
                "x limit", "x copy", "x copy p50", "p50/(2L+copy)", "MMIO db/IO", "stable", "target", "at p50");
        for (Result r : rows) {
            double p50 = io(r, "p50");
            double limit = r.bracket().limitP50Ns();
            double xCopy = copy == null ? Double.NaN : r.opsPerSecond() / copy.opsPerSecond();
            double xCopyP50 = copy == null ? Double.NaN : (double) copy.percentileNs(50) / Math.max(1, r.percentileNs(50));
            double qd1 = copy == null ? Double.NaN : p50 / (2 * limit + copy.percentileNs(50));
            out.printf(" %-38s : %,11.2f %10.2f %9.2f %9.2f %10.2f %9.2f %9.2f %9.2f %9.2f %9.2f %8.2f %7s %10s %13s %10s %6s %7s %7s%n",
                    r.name(), r.opsPerSecond(), r.mibPerSecond(), io(r, "mean") / 1e3, io(r, "min") / 1e3,
                    io(r, "max") / 1e3, p50 / 1e3, io(r, "p90") / 1e3, io(r, "p99") / 1e3, io(r, "p999") / 1e3,
                    io(r, "p9999") / 1e3, p50 / limit, ratio(xCopy, "%.3f"), ratio(xCopyP50, "%.3f"), ratio(qd1, "%.2f"),
                    ratio(mmioPerIo(r), "%.3f"), r.stable() ? "yes" : "NO(" + r.attempts() + ")", verdict(r, xCopy, qd1), verdict(r, xCopyP50, qd1));
        }
        Result scattered = results.stream().filter(r -> r.name().equals(MemcpyScatteredRate.NAME)).findFirst().orElse(null);
        if (scattered != null) {
            out.println(" reference only, not issue 4's targets (those use the cache-hot copy above): each row against the copy a"
                    + " random read really makes, " + MemcpyScatteredRate.NAME + " of the same run");
            for (Result r : rows) {
                double p50 = io(r, "p50");
                out.printf("   %-38s : IOPS / scattered copies/s = %.3f, p50 / (2L + scattered copy p50) = %.2f%n", r.name(),
                        r.opsPerSecond() / scattered.opsPerSecond(),
                        p50 / (2 * r.bracket().limitP50Ns() + scattered.percentileNs(50)));
            }
        }
        out.println(RULE);
    }

    /** {@code met} or {@code MISSED} for the rows issue 4 sets a target for, {@code -} for the others. */
    static String verdict(Result r, double xCopy, double qd1) {
        Object depth = r.params().get("queue_depth");
        boolean targeted = r.sizeBytes() == 4096 && "memory".equals(r.params().get("namespace"))
                && "thread".equals(r.params().get("device_mode"));
        if (!targeted || Double.isNaN(xCopy)) {
            return "-";
        }
        if (Long.valueOf(1).equals(depth)) {
            return qd1 <= 1 ? "met" : "MISSED";
        }
        if (Long.valueOf(32).equals(depth)) {
            return xCopy >= QD32_COPY_SHARE ? "met" : "MISSED";
        }
        return "-";
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
