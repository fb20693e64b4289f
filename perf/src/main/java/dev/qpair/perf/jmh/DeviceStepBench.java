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
 * The device step per WQE, measured together with its post and poll (nothing subtracted): on an
 * INLINE-mode device, where the doorbell runs the engine in the posting thread, one 64-byte inline
 * RDMA_WRITE from a to b. {@code postExecutePoll}: one signaled WR, its doorbell (the engine reads
 * the doorbell record and the WQE, checks the rkey, copies 64 bytes, writes the CQE) and the poll
 * of that CQE, all on one thread and one core, so no cache line changes hands. {@code
 * postExecutePollBatch16}: 16 WRs under one doorbell, the last signaled, one poll; the figure is
 * per WQE. Run with {@code -prof gc}: 0 B/op expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeviceStepBench {

    private static final int BATCH = 16;

    private VerbsBenchSetup setup;
    private QueuePair qp;
    private CompletionQueue cq;
    private MemorySegment payload;
    private int rkey;
    private long remote;
    private long next;
    private long failed;

    @Setup(Level.Trial)
    public void setUp() {
        setup = new VerbsBenchSetup(DeviceMode.INLINE, 1, 64, 128);
        qp = setup.a[0];
        cq = setup.sendCq;
        payload = setup.bufA.segment();
        rkey = setup.mrB.rkey();
        remote = setup.bufB.segment().address();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        setup.close();
        if (failed != 0) {
            throw new IllegalStateException(failed + " completions were not SUCCESS");
        }
    }

    private void write(long id, int flags) {
        qp.wrId(id).wrFlags(flags).wrRdmaWrite(rkey, remote);
        qp.wrSetInlineData(payload, 0, 64);
    }

    private long poll() {
        if (!cq.startPoll()) {
            throw new IllegalStateException("no CQE after an inline-mode doorbell");
        }
        long id = cq.wrId();
        if (cq.status() != WcStatus.SUCCESS) {
            failed++;
        }
        cq.endPoll();
        return id;
    }

    @Benchmark
    public long postExecutePoll() {
        qp.wrStart();
        write(next++, SendFlags.SIGNALED);
        qp.wrComplete();
        return poll();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long postExecutePollBatch16() {
        qp.wrStart();
        for (int k = 1; k < BATCH; k++) {
            write(next++, 0);
        }
        write(next++, SendFlags.SIGNALED);
        qp.wrComplete();
        return poll();
    }
}
