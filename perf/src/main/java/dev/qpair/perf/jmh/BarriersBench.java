package dev.qpair.perf.jmh;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.barriers.Barriers;
import dev.qpair.barriers.Mmio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * The single-thread cost of the barriers primitives on a doorbell page: a descriptor store followed
 * by {@code writel}, by {@code writel_relaxed} alone (the unordered lower bound), and by
 * {@code wmb} + {@code writel_relaxed} (the form a batch of doorbells uses); and
 * {@code smp_store_release} against a plain store. Run with {@code -prof gc}: 0 B/op expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BarriersBench {

    private static final long DOORBELL = 0x40;
    private static final long DESCRIPTOR = 0;
    private static final long WORD = 64;

    private Arena arena;
    private MemorySegment page;
    private MemorySegment ring;
    private int counter;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        page = arena.allocate(4096, 4096);
        ring = arena.allocate(4096, 4096);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void writel() {
        int value = ++counter;
        ring.set(JAVA_LONG, DESCRIPTOR, value);
        Mmio.writel(page, DOORBELL, value); // writel(): descriptor store before the doorbell
    }

    @Benchmark
    public void writelRelaxed() {
        int value = ++counter;
        ring.set(JAVA_LONG, DESCRIPTOR, value);
        Mmio.writelRelaxed(page, DOORBELL, value); // writel_relaxed(): orders nothing
    }

    @Benchmark
    public void wmbThenWritelRelaxed() {
        int value = ++counter;
        ring.set(JAVA_LONG, DESCRIPTOR, value);
        Barriers.wmb(); // wmb(): descriptor store before the doorbell
        Mmio.writelRelaxed(page, DOORBELL, value); // writel_relaxed(): ordered by the wmb() above
    }

    @Benchmark
    public void smpStoreRelease() {
        int value = ++counter;
        ring.set(JAVA_LONG, DESCRIPTOR, value);
        Barriers.smpStoreReleaseInt(ring, WORD, value); // smp_store_release(): descriptor store before the word
    }

    @Benchmark
    public void plainStore() {
        int value = ++counter;
        ring.set(JAVA_LONG, DESCRIPTOR, value);
        ring.set(JAVA_INT, WORD, value);
    }
}
