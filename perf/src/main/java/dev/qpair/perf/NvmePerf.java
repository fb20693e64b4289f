package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.nvme.DmaMap;
import dev.qpair.nvme.NvmeCallback;
import dev.qpair.nvme.NvmeCompletion;
import dev.qpair.nvme.NvmeCtrlr;
import dev.qpair.nvme.NvmeQpair;
import dev.qpair.nvme.controller.Namespace;
import dev.qpair.nvme.controller.NvmeDevice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * spdk_nvme_perf against the NVMe controller model: one I/O qpair on a controller with one
 * namespace (in memory, or in a memory-mapped file), driven by the SPDK-shaped host driver with
 * {@code queueDepth} commands outstanding. The controller runs on its own thread, pinned to the
 * peer CPU as the device's dedicated poller ({@link NvmeDevice#runPoller}), or inline in the host
 * thread at each doorbell.
 *
 * <p>One operation is one completed I/O. When no completion is in hand, the operation submits a
 * command for every free slot (one SQ doorbell for the burst, rung by
 * {@code processCompletions}) and polls until at least one completes; at queue depth 1 that is one
 * submit-to-completion round trip. Each I/O's latency goes to this row's own histogram (reset when
 * the measured operations begin): from one clock read just before the burst of submits it was part
 * of (one read per burst, not per I/O; never later than the I/O's own submit) to a clock read in its
 * completion callback, as spdk_nvme_perf -L takes it. The histogram is what {@link #describe} reports as the {@code io_latency_*} params. Before the first operation the
 * whole namespace is written sequentially once, so that every page of a file namespace is in the
 * page cache. Nothing in {@link #operation} allocates.
 *
 * <p>With {@code --shadow-doorbells on} the host enables Doorbell Buffer Config before it creates
 * the qpair, and writes an MMIO doorbell only when the controller's EventIdx asks for one. Every
 * row reports the MMIO doorbell writes (SQ tail and CQ head) of the measured I/Os per I/O.
 */
public final class NvmePerf implements Benchmark {

    public static final String NAME = "nvme-perf";
    /** I/Os timed together per harness sample when more than one is outstanding. */
    public static final int OPS_PER_SAMPLE_QUEUED = 16;
    private static final int NSID = 1;
    private static final int SPINS_BETWEEN_CHECKS = 1 << 16;
    private static final long DRAIN_NANOS = 5_000_000_000L;

    private final NvmePerfConfig config;
    private long recordFromOp;
    private final Histogram latency = Sampler.newHistogram();
    private final NvmeCallback onCompletion = this::complete;
    private final int readPercent;
    private final int lbaCount;
    private final long positions;

    private Path file;
    private Namespace namespace;
    private NvmeDevice device;
    private Peer controller;
    private NvmeCtrlr ctrlr;
    private NvmeQpair qpair;
    private MemorySegment[] buffers;
    private Integer[] slotIds;
    private long[] submittedAt;
    private int[] free;
    private int freeCount;

    private int credits;
    private long sequential;
    private final Xorshift64Star random = new Xorshift64Star();
    private long errors;
    private long reads;
    private long writes;
    private long mmioAtStart;
    private long mmioMeasured = -1;
    private long iosMeasured;
    private long parksAtStart;
    private long parksMeasured;

    /**
     * @param warmupSamples the harness's warm-up samples; I/O latencies recorded before the
     *     measured operations begin are discarded (from where {@link #measuredFrom} says they
     *     begin, when the harness calls it)
     */
    public NvmePerf(NvmePerfConfig config, long warmupSamples) {
        this.config = config;
        this.recordFromOp = warmupSamples * opsPerSample();
        this.readPercent = config.workload().readPercent(config.rwMixRead());
        this.lbaCount = config.ioSize() / config.lbaSize();
        this.positions = ((long) config.nsMib() << 20) / config.ioSize();
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public Kind kind() {
        return config.queueDepth() == 1 ? Kind.LATENCY : Kind.BANDWIDTH;
    }

    @Override
    public int sizeBytes() {
        return config.ioSize();
    }

    @Override
    public int opsPerSample() {
        return config.queueDepth() == 1 ? 1 : OPS_PER_SAMPLE_QUEUED;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", config.ioSize()).put("device_mode", config.inline() ? "inline" : "thread")
                .put("queue_depth", config.queueDepth()).put("rw", config.workload().label())
                .put("rwmixread", readPercent).put("pattern", config.workload().random() ? "random" : "sequential")
                .put("namespace", config.file() ? "file" : "memory").put("namespace_mib", config.nsMib())
                .put("lba_size", config.lbaSize())
                .put("controller", config.inline() ? "NvmeDevice.process() inline in the host thread at each doorbell"
                        : "a thread on cpu_peer as NvmeDevice.runPoller, the dedicated poller")
                .put("mmio_doorbells_counted", "SQ tail and CQ head MMIO writes from the first measured operation to the"
                        + " last, over the I/Os completed meanwhile; sq_parks: the controller's queue parks meanwhile")
                .put("io_latency", "per I/O, from before its submit burst to its completion callback")
                .put("io_latency_count", latency.getTotalCount())
                .put("io_latency_mean_ns", Math.round(latency.getMean()))
                .put("io_latency_min_ns", latency.getMinValue())
                .put("io_latency_p50_ns", latency.getValueAtPercentile(50))
                .put("io_latency_p90_ns", latency.getValueAtPercentile(90))
                .put("io_latency_p99_ns", latency.getValueAtPercentile(99))
                .put("io_latency_p999_ns", latency.getValueAtPercentile(99.9))
                .put("io_latency_p9999_ns", latency.getValueAtPercentile(99.99))
                .put("io_latency_max_ns", latency.getMaxValue())
                .put("reads", reads).put("writes", writes)
                .put("shadow_doorbells", config.shadowDoorbells());
        long mmio = qpair != null ? qpair.mmioDoorbellWrites() - mmioAtStart : mmioMeasured;
        long ios = qpair != null ? latency.getTotalCount() : iosMeasured;
        long parks = qpair != null ? device.sqParks() - parksAtStart : parksMeasured;
        params.put("mmio_doorbells", mmio).put("sq_parks", parks).put("mmio_doorbells_per_io", ios > 0 && mmio >= 0 ? (double) mmio / ios : Double.NaN);
    }

    @Override
    public String open(int peerCpu) {
        int lbaSize = config.lbaSize();
        long blocks = ((long) config.nsMib() << 20) / lbaSize;
        DmaMap dma = new DmaMap();
        if (config.file()) {
            try {
                file = Files.createTempFile("qpair-nvme-perf-", ".ns");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the namespace file", e);
            }
            namespace = Namespace.inFile(file, blocks, lbaSize);
        } else {
            namespace = Namespace.inMemory(blocks, lbaSize);
        }
        device = NvmeDevice.create(dma, 1, "QPAIR-PERF", namespace);
        String note = null;
        if (!config.inline()) {
            controller = new Peer("qpair-nvme-controller", peerCpu, this::serve, () -> { });
            note = controller.start();
        }
        NvmeDevice engine = device;
        ctrlr = NvmeCtrlr.attach(device.registers(), dma, config.inline() ? engine::process : null, 32, 1);
        if (config.shadowDoorbells()) {
            ctrlr.enableShadowDoorbells();
        }
        int depth = config.queueDepth();
        qpair = ctrlr.allocIoQpair(Math.min(NvmeDevice.MAX_QUEUE_ENTRIES, Math.max(64, depth + 1)));
        buffers = new MemorySegment[depth];
        slotIds = new Integer[depth];
        submittedAt = new long[depth];
        free = new int[depth];

        for (int slot = 0; slot < depth; slot++) {
            buffers[slot] = ctrlr.allocateDmaBuffer(config.ioSize());
            for (long offset = 0; offset < config.ioSize(); offset += Long.BYTES) {
                buffers[slot].set(JAVA_LONG, offset, (slot + 1L) * 0x9E3779B97F4A7C15L ^ offset);
            }
            slotIds[slot] = slot;
            free[freeCount++] = slot;
        }
        precondition();
        return note;
    }

    private void serve(Peer self) {
        device.runPoller(self::running);
    }

    /** Writes every I/O-sized position of the namespace once, in order, at the row's queue depth. */
    private void precondition() {
        long next = 0;
        int spins = 0;
        while (next < positions || freeCount < config.queueDepth()) {
            while (freeCount > 0 && next < positions) {
                int slot = free[--freeCount];
                if (!qpair.write(NSID, buffers[slot], next * lbaCount, lbaCount, onCompletion, slotIds[slot])) {
                    throw new IllegalStateException("the qpair refused a preconditioning write: queue full");
                }
                next++;
            }
            if (qpair.processCompletions(0) == 0 && ++spins % SPINS_BETWEEN_CHECKS == 0) {
                checkController();
            }
        }
        if (errors != 0) {
            throw new IllegalStateException(errors + " preconditioning writes failed");
        }
        credits = 0;
        reads = 0;
        writes = 0;
        latency.reset();
        mmioAtStart = qpair.mmioDoorbellWrites();
        parksAtStart = device.sqParks();
    }

    @Override
    public void measuredFrom(long firstOp) {
        recordFromOp = firstOp;
    }

    @Override
    public long operation(long i) {
        if (i == recordFromOp) {
            latency.reset();
            mmioAtStart = qpair.mmioDoorbellWrites();
            parksAtStart = device.sqParks();
        }
        int spins = 0;
        while (credits == 0) {
            if (freeCount > 0) {
                long now = System.nanoTime();
                while (freeCount > 0) {
                    submit(free[--freeCount], now);
                }
            }
            if (qpair.processCompletions(0) == 0) {
                if (++spins % SPINS_BETWEEN_CHECKS == 0) {
                    checkController();
                }
                Thread.onSpinWait();
            }
        }
        credits--;
        return sequential + credits;
    }

    private void submit(int slot, long now) {
        long slba = nextPosition() * lbaCount;
        boolean read = readPercent == 100 || (readPercent != 0 && (int) random.below(100) < readPercent);
        submittedAt[slot] = now;
        boolean queued = read
                ? qpair.read(NSID, buffers[slot], slba, lbaCount, onCompletion, slotIds[slot])
                : qpair.write(NSID, buffers[slot], slba, lbaCount, onCompletion, slotIds[slot]);
        if (!queued) {
            throw new IllegalStateException("the qpair refused a command with " + qpair.outstanding()
                    + " outstanding: queue full");
        }
        if (read) {
            reads++;
        } else {
            writes++;
        }
    }

    private long nextPosition() {
        if (config.workload().random()) {
            return random.below(positions);
        }
        long position = sequential;
        sequential = position + 1 == positions ? 0 : position + 1;
        return position;
    }

    private void complete(Object arg, NvmeCompletion completion) {
        int slot = (Integer) arg;
        latency.recordValue(Math.min(System.nanoTime() - submittedAt[slot], Sampler.HIGHEST_NS));
        if (!completion.isSuccess()) {
            errors++;
        }
        free[freeCount++] = slot;
        credits++;
    }

    private void checkController() {
        if (controller != null) {
            controller.checkAlive();
        }
        String fatal = device.fatalError();
        if (fatal != null) {
            throw new IllegalStateException("the controller model stopped (CSTS.CFS): " + fatal);
        }
    }

    /** Failed completions so far. */
    @Override
    public long errors() {
        return errors;
    }

    /** The per-I/O latency histogram of the measured operations (ns). */
    public Histogram ioLatency() {
        return latency;
    }

    @Override
    public void close() {
        try {
            if (qpair != null) {
                mmioMeasured = qpair.mmioDoorbellWrites() - mmioAtStart;
                parksMeasured = device.sqParks() - parksAtStart;
                iosMeasured = latency.getTotalCount();
                long deadline = System.nanoTime() + DRAIN_NANOS;
                while (qpair.outstanding() > 0 && System.nanoTime() - deadline < 0
                        && (controller == null || controller.alive())) {
                    qpair.processCompletions(0);
                }
                qpair = null;
            }
            if (ctrlr != null) {
                ctrlr.close();
                ctrlr = null;
            }
        } finally {
            if (controller != null) {
                controller.stop(() -> { });
                controller = null;
            }
            if (device != null) {
                device.close();
                device = null;
            }
            if (namespace != null) {
                namespace.close();
                namespace = null;
            }
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete the namespace file " + file, e);
                }
                file = null;
            }
        }
    }
}
