package dev.qpair.perf.jmh;

import dev.qpair.perf.Affinity;
import dev.qpair.perf.RingDoorbellLat;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One post and poll round of the ring-and-doorbell datapath ({@link RingDoorbellLat}): a 64-byte
 * SEND WQE, the doorbell, the device thread's CQE, the host's poll. The benchmark thread is pinned
 * to CPU 0 and the device thread to CPU 1, as in the suite (a note on stderr when pinning fails);
 * read it next to the suite's bracketed figures, not alone. Run with {@code -prof gc}: the host
 * side allocates nothing per op (AllocationTest measures it on its own thread); the profiler counts
 * every thread of the fork, so its small per-op figure here is JMH's and the device thread's
 * allocation spread over few, slow operations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingRoundTripBench {

    private RingDoorbellLat ring;
    private long next;

    @Setup(Level.Trial)
    public void setUp() {
        report(Affinity.pinCurrentThread(0));
        ring = new RingDoorbellLat();
        report(ring.open(1));
        next = 0;
    }

    private static void report(String note) {
        if (note != null) {
            System.err.println("RingRoundTripBench: " + note);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long errors = ring.errors();
        ring.close();
        if (errors != 0) {
            throw new IllegalStateException(errors + " CQEs came back wrong");
        }
    }

    @Benchmark
    public long postAndPoll() {
        return ring.operation(next++);
    }
}
