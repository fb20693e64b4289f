package dev.qpair.perf.jmh;

import dev.qpair.hca.DeviceMode;
import dev.qpair.hca.QueuePair;
import dev.qpair.hca.SendFlags;
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
 * Posting one WR on the HCA model's send queue, without any device work: {@code ibv_wr_start},
 * {@code wr_id}, {@code wr_flags}, {@code ibv_wr_rdma_write} and {@code ibv_wr_set_inline_data} of
 * 64 bytes (the writes of a 2-block WQE into the ring slot) and then {@code ibv_wr_abort}, so that
 * nothing is published, no doorbell rings and no engine consumes; the next post reuses the same
 * slot. What is left out: the doorbell record's release store, the doorbell register and the
 * engine's work ({@link DeviceStepBench} has them). The device is in INLINE mode, so no engine
 * thread spins beside the benchmark. Run with {@code -prof gc}: 0 B/op expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PostWrBench {

    private VerbsBenchSetup setup;
    private QueuePair qp;
    private MemorySegment payload;
    private int rkey;
    private long remote;
    private long next;

    @Setup(Level.Trial)
    public void setUp() {
        setup = new VerbsBenchSetup(DeviceMode.INLINE, 1, 64, 128);
        qp = setup.a[0];
        payload = setup.bufA.segment();
        rkey = setup.mrB.rkey();
        remote = setup.bufB.segment().address();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        setup.close();
    }

    @Benchmark
    public long buildWqeThenAbort() {
        long id = next++;
        qp.wrStart();
        qp.wrId(id).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(rkey, remote);
        qp.wrSetInlineData(payload, 0, 64);
        qp.wrAbort();
        return id;
    }
}
