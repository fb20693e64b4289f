package dev.qpair.barriers.testing;

import java.lang.management.ManagementFactory;

/**
 * Counts the bytes the calling thread allocates on the Java heap, through HotSpot's per-thread
 * allocation counter (exact up to the current TLAB's fill). Shared by the modules' zero-allocation
 * tests through this module's test jar.
 */
public final class AllocationMeter {

    /** The operation under test; {@code i} is the iteration number. */
    @FunctionalInterface
    public interface Operation {
        void run(long i) throws Throwable;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Measured windows after the warm-up. */
    public static final int WINDOWS = 3;

    private AllocationMeter() {
    }

    /** Bytes allocated so far by the calling thread. */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Runs {@code operation} {@code iterations} times as a warm-up (so the JIT has compiled it and
     * one-time linkage is done), then in {@value #WINDOWS} windows of {@code iterations} runs each,
     * and returns the least the calling thread allocated in one window, less what reading the
     * counter itself costs. A per-operation allocation shows in every window; a one-time event
     * (a deoptimization re-materializing a scalar-replaced object, a late class initialization)
     * shows in one window only, and does not fail a steady-state test.
     */
    public static long bytesAllocatedBy(long iterations, Operation operation) throws Throwable {
        for (long i = 0; i < iterations; i++) {
            operation.run(i);
        }
        long overhead = allocatedBytes();
        overhead = allocatedBytes() - overhead;
        long least = Long.MAX_VALUE;
        for (int w = 0; w < WINDOWS; w++) {
            long before = allocatedBytes();
            for (long i = 0; i < iterations; i++) {
                operation.run(i);
            }
            least = Math.min(least, allocatedBytes() - before - overhead);
        }
        return least;
    }
}
