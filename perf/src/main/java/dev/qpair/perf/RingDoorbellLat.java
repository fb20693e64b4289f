package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.barriers.Barriers;
import dev.qpair.barriers.Mmio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The smallest complete datapath (formerly the {@code demo}): the host writes a 64-byte WQE into an
 * off-heap send ring, publishes the producer index in a doorbell record, rings a doorbell register
 * ({@code writel}); a busy-polling device thread sees the doorbell ({@code readl}), reads the WQE
 * and writes a 16-byte CQE whose owner word goes last; the host polls the owner word
 * ({@code READ_ONCE} then {@code dma_rmb}) and checks the CQE. One operation is one post to polled
 * CQE round trip.
 */
public final class RingDoorbellLat implements Benchmark {

    public static final String NAME = "ring-doorbell-lat";
    private static final int SLOTS = 64;
    private static final long WQE_BYTES = 64;
    private static final long CQE_BYTES = 16;
    private static final long WQE_OPCODE = 0;
    private static final long WQE_LENGTH = 4;
    private static final long WQE_ID = 8;
    private static final long CQE_ID = 0;
    private static final long CQE_STATUS = 8;
    private static final long CQE_OWNER = 12;
    private static final long DOORBELL = 0;
    private static final int OPCODE_SEND = 0x0A;
    private static final int PAYLOAD = 64;

    private Arena arena;
    private MemorySegment sq;
    private MemorySegment cq;
    private MemorySegment doorbellRecord;
    private MemorySegment doorbellPage;
    private Peer device;
    private long errors;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Kind kind() {
        return Kind.LATENCY;
    }

    @Override
    public int sizeBytes() {
        return PAYLOAD;
    }

    @Override
    public void describe(Params params) {
        params.put("size_bytes", PAYLOAD).put("device_mode", "thread").put("opcode", "SEND")
                .put("sq_slots", SLOTS).put("wqe_bytes", WQE_BYTES).put("cqe_bytes", CQE_BYTES)
                .put("doorbell", "doorbell record smp_store_release + writel");
    }

    @Override
    public String open(int peerCpu) {
        arena = Arena.ofShared();
        sq = arena.allocate(SLOTS * WQE_BYTES, 4096);
        cq = arena.allocate(SLOTS * CQE_BYTES, 4096);
        doorbellRecord = arena.allocate(128, 128);
        doorbellPage = arena.allocate(4096, 4096);
        device = new Peer("qpair-ring-device", peerCpu, this::serve, () -> { });
        return device.start();
    }

    private void serve(Peer self) {
        int consumer = 0;
        while (self.running()) {
            int producer = Mmio.readl(doorbellPage, DOORBELL); // readl(): doorbell load before the record and WQE loads
            if (producer == consumer) {
                Thread.onSpinWait();
                continue;
            }
            int recorded = Barriers.smpLoadAcquireInt(doorbellRecord, 0); // smp_load_acquire(): index before WQE loads
            for (; consumer != recorded; consumer++) {
                long wqe = (consumer & (SLOTS - 1)) * WQE_BYTES;
                long cqe = (consumer & (SLOTS - 1)) * CQE_BYTES;
                int length = sq.get(JAVA_INT, wqe + WQE_LENGTH);
                long wrId = sq.get(JAVA_LONG, wqe + WQE_ID);
                int status = sq.get(JAVA_INT, wqe + WQE_OPCODE) == OPCODE_SEND && length == PAYLOAD ? 0 : 1;
                cq.set(JAVA_LONG, cqe + CQE_ID, wrId);
                cq.set(JAVA_INT, cqe + CQE_STATUS, status);
                Barriers.smpStoreReleaseInt(cq, cqe + CQE_OWNER, ownerFor(consumer)); // dma_wmb()+owner: CQE body before owner
            }
        }
    }

    /** The owner word a CQE carries on its lap of the ring: 1 on even laps, 2 on odd ones, never 0. */
    private static int ownerFor(int index) {
        return 1 + ((index >>> Integer.numberOfTrailingZeros(SLOTS)) & 1);
    }

    @Override
    public long operation(long i) {
        int index = (int) i;
        long wqe = (index & (SLOTS - 1)) * WQE_BYTES;
        long cqe = (index & (SLOTS - 1)) * CQE_BYTES;
        sq.set(JAVA_INT, wqe + WQE_OPCODE, OPCODE_SEND);
        sq.set(JAVA_INT, wqe + WQE_LENGTH, PAYLOAD);
        sq.set(JAVA_LONG, wqe + WQE_ID, i);
        Barriers.smpStoreReleaseInt(doorbellRecord, 0, index + 1); // smp_store_release(): WQE stores before the record
        Mmio.writel(doorbellPage, DOORBELL, index + 1); // writel(): WQE and record stores before the doorbell
        int owner = ownerFor(index);
        while (Barriers.readOnceInt(cq, cqe + CQE_OWNER) != owner) { // READ_ONCE(): re-read the owner word each spin
            device.checkAlive();
            Thread.onSpinWait();
        }
        Barriers.dmaRmb(); // dma_rmb(): owner word load before the CQE body loads
        long wrId = cq.get(JAVA_LONG, cqe + CQE_ID);
        if (wrId != i || cq.get(JAVA_INT, cqe + CQE_STATUS) != 0) {
            errors++;
        }
        return wrId;
    }

    @Override
    public long errors() {
        return errors;
    }

    @Override
    public void close() {
        if (device != null) {
            device.stop(() -> { });
            device = null;
        }
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
