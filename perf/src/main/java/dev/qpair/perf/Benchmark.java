package dev.qpair.perf;

/**
 * One row of a run: something that can do one operation (a round trip, a copy, a post and poll)
 * on the measuring thread, as often as the harness asks. The harness owns timing, warm-up, the
 * histogram, allocation metering and the bracketing limit measurements; a benchmark owns only
 * its memory and its peer thread. A new verbs or NVMe benchmark is one class implementing this.
 *
 * <p>Life cycle: {@link #open()} (allocate, start and pin the peer thread), then any number of
 * {@link #operation(long)} calls on one thread, then {@link #close()} (stop and join the peer,
 * free memory). {@code operation} must not allocate.
 */
public interface Benchmark extends AutoCloseable {

    /** Latency rows are read by their percentiles, bandwidth rows by their rate. */
    enum Kind { LATENCY, BANDWIDTH }

    /** The row's name: the subcommand, with a suffix when a run yields several rows. */
    String name();

    Kind kind();

    /** Payload bytes moved by one operation. */
    int sizeBytes();

    /**
     * Operations timed together as one histogram sample, for operations close to the clock's own
     * cost; the sample records the time per operation. 1 for round trips.
     */
    default int opsPerSample() {
        return 1;
    }

    /** True for the libraries a user would pick instead of Qpair; the other rows are compared with the best of them. */
    default boolean peer() {
        return false;
    }

    /** Adds the knobs this benchmark ran with (size_bytes, device_mode, capacity, ...). */
    void describe(Params params);

    /**
     * Allocates memory and starts the peer thread pinned to {@code peerCpu} (ignored by
     * single-threaded benchmarks).
     *
     * @return null, or a note when pinning the peer failed
     */
    String open(int peerCpu);

    /**
     * Does operation number {@code i}, which starts at 0 after {@link #open} and rises by one per
     * call (ring benchmarks derive their slot and phase from it), and returns a value derived from its result, which the
     * harness consumes so that the work cannot be elided.
     */
    long operation(long i);

    /**
     * Called once, between the warm-up and the measured operations: {@code firstOp} is the number
     * of the first measured operation. The warm-up runs at least the asked samples and then until
     * the JIT is quiet (see {@link Runner}), so only the harness knows where it ended; a benchmark
     * that keeps its own figures (nvme-perf's I/O latencies) starts them here.
     */
    default void measuredFrom(long firstOp) {
    }

    /** Errors seen by {@link #operation} so far (a wrong payload coming back); 0 when correct. */
    long errors();

    @Override
    void close();
}
