package dev.qpair.perf;

import org.HdrHistogram.Histogram;

/** Synthetic results and a trivial in-thread benchmark for the tests. */
final class Fixtures {

    private Fixtures() {
    }

    static Result result(String name, Benchmark.Kind kind, long before, long after, long... values) {
        return sizedResult(name, kind, 8, before, after, values);
    }

    /** A result of {@code sizeBytes} per operation; a peer when its name contains {@code -peer}. */
    static Result sizedResult(String name, Benchmark.Kind kind, int sizeBytes, long before, long after, long... values) {
        Histogram h = Sampler.newHistogram();
        for (long v : values) {
            h.recordValue(v);
        }
        Measurement m = new Measurement(h, values.length, 1_000_000, 0);
        Params params = new Params().put("size_bytes", sizeBytes).put("device_mode", "thread").put("mode", "closed-loop");
        Bracket bracket = new Bracket(before, after);
        return new Result(name, kind, name.contains("-peer"), sizeBytes, params, m, bracket,
                bracket.stable(Bracket.TOLERANCE), 1);
    }

    /** A benchmark that does arithmetic on the calling thread; {@code allocate} makes it allocate per op. */
    static class Counting implements Benchmark {
        private final boolean allocate;
        private long state = 1;
        Object last;
        int opened;
        int closed;

        Counting(boolean allocate) {
            this.allocate = allocate;
        }

        @Override
        public String name() {
            return allocate ? "test-allocating" : "test-counting";
        }

        @Override
        public Kind kind() {
            return Kind.LATENCY;
        }

        @Override
        public int sizeBytes() {
            return 8;
        }

        @Override
        public void describe(Params params) {
            params.put("size_bytes", 8);
        }

        @Override
        public String open(int peerCpu) {
            opened++;
            return null;
        }

        @Override
        public long operation(long i) {
            state = state * 6364136223846793005L + i;
            if (allocate) {
                last = new long[4];
            }
            return state;
        }

        @Override
        public long errors() {
            return 0;
        }

        @Override
        public void close() {
            closed++;
        }
    }
}
