package dev.qpair.perf.jmh;

import dev.qpair.hca.CompletionQueue;
import dev.qpair.hca.DeviceMode;
import dev.qpair.hca.QueuePair;
import dev.qpair.hca.SendFlags;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Polling one CQE from a pre-filled CQ of the HCA model: {@code ibv_start_poll} (the owner bit,
 * then the CQE body, and the send-queue slots it frees), reading wr_id and status, {@code
 * ibv_end_poll} (the consumer index). Before each invocation (untimed, {@code Level.Invocation}),
 * {@value #CQES} signaled 64-byte inline RDMA_WRITEs are posted on an INLINE-mode device over
 * {@value #QPS} QPs (their send queues hold them all, since slots free only when their CQE is
 * polled), which fills one shared CQ; the timed invocation then polls them all, one by one, and the
 * figure is per CQE. An invocation is long (thousands of polls), so the per-invocation setup's
 * timestamps do not matter; the 1 MiB CQ was written just before by the same thread, as warm in
 * cache as a CQ the device just filled can be. Run with {@code -prof gc}: 0 B/op expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PollCqeBench {

    private static final int QPS = 16;
    private static final int PER_QP = 1024;
    private static final int CQES = QPS * PER_QP;

    private VerbsBenchSetup setup;
    private CompletionQueue cq;
    private MemorySegment payload;
    private int rkey;
    private long remote;
    private long failed;

    @Setup(Level.Trial)
    public void setUp() {
        setup = new VerbsBenchSetup(DeviceMode.INLINE, QPS, PER_QP, CQES);
        cq = setup.sendCq;
        payload = setup.bufA.segment();
        rkey = setup.mrB.rkey();
        remote = setup.bufB.segment().address();
    }

    @Setup(Level.Invocation)
    public void fill() {
        for (QueuePair qp : setup.a) {
            for (int k = 0; k < PER_QP; k++) {
                qp.wrStart();
                qp.wrId(k).wrFlags(SendFlags.SIGNALED).wrRdmaWrite(rkey, remote);
                qp.wrSetInlineData(payload, 0, 64);
                qp.wrComplete();
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        setup.close();
        if (failed != 0) {
            throw new IllegalStateException(failed + " completions were missing or not SUCCESS");
        }
    }

    @Benchmark
    @OperationsPerInvocation(CQES)
    public long pollAll() {
        long sum = 0;
        for (int k = 0; k < CQES; k++) {
            if (!cq.startPoll()) {
                failed++;
                continue;
            }
            sum += cq.wrId();
            if (cq.status() != WcStatus.SUCCESS) {
                failed++;
            }
            cq.endPoll();
        }
        return sum;
    }
}
