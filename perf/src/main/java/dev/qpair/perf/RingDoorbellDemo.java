package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.barriers.Barriers;
import dev.qpair.barriers.Mmio;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The smallest complete datapath: the host writes a 64-byte WQE into an off-heap send ring,
 * publishes the producer index in a doorbell record ({@code dma_wmb}), rings a doorbell register
 * ({@code writel}); a busy-polling device thread sees the doorbell ({@code readl}), reads the WQE
 * and writes a 16-byte CQE whose owner word goes last ({@code dma_wmb}); the host polls the owner
 * word ({@code READ_ONCE} then {@code dma_rmb}) and checks the CQE. Every round trip, post to
 * polled CQE, is recorded in an HdrHistogram.
 */
public final class RingDoorbellDemo {

    private static final int SLOTS = 64;
    private static final long WQE_BYTES = 64;
    private static final long CQE_BYTES = 16;
    private static final long WQE_OPCODE = 0;
    private static final long WQE_LENGTH = 4;
    private static final long WQE_ID = 8;
    private static final long CQE_ID = 0;
    private static final long CQE_OWNER = 12;
    private static final long DOORBELL = 0;
    private static final int OPCODE_SEND = 0x0A;

    private final int iterations;
    private final int warmup;

    public RingDoorbellDemo(int iterations, int warmup) {
        this.iterations = iterations;
        this.warmup = warmup;
    }

    /** Runs the demo and prints the latency summary to {@code out}. */
    public void run(PrintStream out) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment sq = arena.allocate(SLOTS * WQE_BYTES, 4096);
            MemorySegment cq = arena.allocate(SLOTS * CQE_BYTES, 4096);
            MemorySegment doorbellRecord = arena.allocate(128, 128);
            MemorySegment doorbellPage = arena.allocate(4096, 4096);
            int total = warmup + iterations;

            Thread device = Thread.ofPlatform().name("qpair-demo-device").daemon().start(() -> {
                int consumer = 0;
                while (consumer < total) {
                    int producer = Mmio.readl(doorbellPage, DOORBELL);
                    if (producer == consumer) {
                        Thread.onSpinWait();
                        continue;
                    }
                    int recorded = Barriers.smpLoadAcquireInt(doorbellRecord, 0);
                    for (; consumer != recorded; consumer++) {
                        long wqe = (consumer & (SLOTS - 1)) * WQE_BYTES;
                        long cqe = (consumer & (SLOTS - 1)) * CQE_BYTES;
                        int length = sq.get(JAVA_INT, wqe + WQE_LENGTH);
                        long wrId = sq.get(JAVA_LONG, wqe + WQE_ID);
                        int status = sq.get(JAVA_INT, wqe + WQE_OPCODE) == OPCODE_SEND && length == 64 ? 0 : 1;
                        cq.set(JAVA_LONG, cqe + CQE_ID, wrId);
                        cq.set(JAVA_INT, cqe + 8, status);
                        Barriers.smpStoreReleaseInt(cq, cqe + CQE_OWNER, ownerFor(consumer));
                    }
                }
            });

            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            long errors = 0;
            long started = System.nanoTime();
            for (int i = 0; i < total; i++) {
                if (i == warmup) {
                    histogram.reset();
                    started = System.nanoTime();
                }
                long t0 = System.nanoTime();
                long wqe = (i & (SLOTS - 1)) * WQE_BYTES;
                long cqe = (i & (SLOTS - 1)) * CQE_BYTES;
                sq.set(JAVA_INT, wqe + WQE_OPCODE, OPCODE_SEND);
                sq.set(JAVA_INT, wqe + WQE_LENGTH, 64);
                sq.set(JAVA_LONG, wqe + WQE_ID, i);
                Barriers.smpStoreReleaseInt(doorbellRecord, 0, i + 1);
                Mmio.writel(doorbellPage, DOORBELL, i + 1);
                int owner = ownerFor(i);
                while (Barriers.readOnceInt(cq, cqe + CQE_OWNER) != owner) {
                    Thread.onSpinWait();
                }
                Barriers.dmaRmb();
                if (cq.get(JAVA_LONG, cqe + CQE_ID) != i || cq.get(JAVA_INT, cqe + 8) != 0) {
                    errors++;
                }
                histogram.recordValue(System.nanoTime() - t0);
            }
            long elapsed = System.nanoTime() - started;
            device.join();
            print(out, histogram, elapsed, errors);
        }
    }

    /** The owner word a CQE carries on its lap of the ring: 1 on even laps, 2 on odd ones, never 0. */
    private static int ownerFor(int index) {
        return 1 + ((index / SLOTS) & 1);
    }

    private void print(PrintStream out, Histogram h, long elapsedNanos, long errors) {
        out.println("qpair demo: SEND 64 B through a 64-slot off-heap ring, writel doorbell, busy-polling device thread");
        out.printf("  round trips %,d (after %,d warm-up), errors %d, %.0f ops/s%n",
                h.getTotalCount(), warmup, errors, h.getTotalCount() * 1e9 / elapsedNanos);
        out.printf("  %-8s %10s %10s %10s %10s %10s %10s %10s%n",
                "ns", "mean", "min", "p50", "p90", "p99", "p99.9", "max");
        out.printf("  %-8s %10.0f %10d %10d %10d %10d %10d %10d%n", "post->cqe",
                h.getMean(), h.getMinValue(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }
}
