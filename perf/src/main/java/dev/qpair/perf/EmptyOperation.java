package dev.qpair.perf;

/**
 * An operation that does nothing: its p50 is what the clock reads and the call into a benchmark
 * cost per sample, which every other figure includes. The suite measures it once per run and
 * prints it as a note; it is not a result row.
 */
public final class EmptyOperation implements Benchmark {

    @Override
    public String name() {
        return "clock";
    }

    @Override
    public Kind kind() {
        return Kind.LATENCY;
    }

    @Override
    public int sizeBytes() {
        return 0;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", 0);
    }

    @Override
    public String open(int peerCpu) {
        return null;
    }

    @Override
    public long operation(long i) {
        return i;
    }

    @Override
    public long errors() {
        return 0;
    }

    @Override
    public void close() {
    }
}
