package dev.qpair.perf.jmh;

import dev.qpair.nvme.DmaMap;
import dev.qpair.nvme.NvmeCallback;
import dev.qpair.nvme.NvmeCtrlr;
import dev.qpair.nvme.NvmeQpair;
import dev.qpair.nvme.controller.Namespace;
import dev.qpair.nvme.controller.NvmeDevice;
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
 * One NVMe command's submit and completion through the SPDK-shaped host driver against the
 * controller model run inline ({@code NvmeCtrlr.attach} with {@code NvmeDevice::process} as the
 * inline engine): the SQE written into the submission queue, the SQ tail doorbell, the controller's
 * pass (fetch, execute, CQE with its phase tag), the host's {@code processCompletions} and the
 * callback, all on one thread. {@code flush}: no data moves, the bare command cost; {@code read4k}
 * and {@code write4k}: one 4 KiB LBA of a memory namespace, so the 4 KiB copy is included. Run with
 * {@code -prof gc}: 0 B/op expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NvmeSubmitCompleteBench {

    private static final int NSID = 1;
    private static final int LBAS = 256;

    private Namespace namespace;
    private NvmeDevice device;
    private NvmeCtrlr ctrlr;
    private NvmeQpair qpair;
    private MemorySegment buffer;
    private NvmeCallback onCompletion;
    private long completed;
    private long failed;
    private long lba;

    @Setup(Level.Trial)
    public void setUp() {
        DmaMap dma = new DmaMap();
        namespace = Namespace.inMemory(LBAS, Namespace.LBA_SIZE_4K);
        device = NvmeDevice.create(dma, 1, "QPAIR-JMH", namespace);
        NvmeDevice engine = device;
        ctrlr = NvmeCtrlr.attach(device.registers(), dma, engine::process, 32, 1);
        qpair = ctrlr.allocIoQpair(64);
        buffer = ctrlr.allocateDmaBuffer(Namespace.LBA_SIZE_4K);
        onCompletion = (arg, completion) -> {
            completed++;
            if (!completion.isSuccess()) {
                failed++;
            }
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctrlr.close();
        device.close();
        namespace.close();
        if (failed != 0) {
            throw new IllegalStateException(failed + " commands failed");
        }
    }

    private long complete(boolean submitted) {
        if (!submitted) {
            throw new IllegalStateException("the qpair refused a command: queue full");
        }
        long before = completed;
        while (completed == before) {
            qpair.processCompletions(0);
        }
        return completed;
    }

    @Benchmark
    public long flush() {
        return complete(qpair.flush(NSID, onCompletion, null));
    }

    @Benchmark
    public long read4k() {
        lba = (lba + 1) & (LBAS - 1);
        return complete(qpair.read(NSID, buffer, lba, 1, onCompletion, null));
    }

    @Benchmark
    public long write4k() {
        lba = (lba + 1) & (LBAS - 1);
        return complete(qpair.write(NSID, buffer, lba, 1, onCompletion, null));
    }
}
