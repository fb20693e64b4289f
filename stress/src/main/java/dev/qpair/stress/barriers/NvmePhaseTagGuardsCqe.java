package dev.qpair.stress.barriers;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.barriers.Barriers;
import dev.qpair.stress.SharedMemory;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * An NVMe completion queue entry (16 bytes): the controller writes the low 8 bytes (DW0, DW1),
 * then the high 8 bytes (DW2: SQ head and SQ id; DW3: command id, phase tag, status) with release,
 * so the phase tag is the last thing to change. The host reads DW2-DW3 once, checks the phase,
 * issues {@code dma_rmb()}, then reads DW0. Result: phase, SQ head, command id, DW0.
 */
@JCStressTest
@Description("dma_rmb after the phase-tag load: never a new phase with stale CQE fields")
@Outcome(id = "0, .*", expect = ACCEPTABLE, desc = "Old phase: the entry is not new yet, the host does not read it.")
@Outcome(id = "1, 5, 9, 43981", expect = ACCEPTABLE, desc = "New phase and the whole CQE.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "New phase tag with stale CQE fields.")
@State
public class NvmePhaseTagGuardsCqe {

    private static final long LOW = 0;
    private static final long HIGH = 8;

    private final MemorySegment cqe = SharedMemory.allocate(16);

    @Actor
    public void controller() {
        cqe.set(JAVA_LONG, LOW, 0xABCDL);
        long dw2 = 5 | (1L << 16);
        long dw3 = 9 | (1L << 16);
        Barriers.smpStoreReleaseLong(cqe, HIGH, dw2 | (dw3 << 32)); // dma_wmb() + DW2-DW3 store: DW0-DW1 before the phase
    }

    @Actor
    public void host(IIII_Result r) {
        long high = Barriers.readOnceLong(cqe, HIGH); // READ_ONCE(): the phase, ordered by the dma_rmb() below
        Barriers.dmaRmb(); // dma_rmb(): phase load before the DW0 load
        long low = cqe.get(JAVA_LONG, LOW);
        int dw2 = (int) high;
        int dw3 = (int) (high >>> 32);
        r.r1 = (dw3 >>> 16) & 1;
        r.r2 = dw2 & 0xFFFF;
        r.r3 = dw3 & 0xFFFF;
        r.r4 = (int) low;
    }
}
