package dev.qpair.stress.barriers;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * {@link CqeOwnerBitGuardsBody} with the host's {@code dma_rmb()} left out: documents that the
 * body loads may then be satisfied before the owner-bit load. Passes either way.
 * Result: owner, wr_id, byte_len, status.
 */
@JCStressTest
@Description("Without dma_rmb the CQE body may be read before the owner bit")
@Outcome(id = "0, .*", expect = ACCEPTABLE, desc = "CQE still owned by the device: the host does not read it.")
@Outcome(id = "1, 77, 64, 0", expect = ACCEPTABLE, desc = "Owner bit and the whole CQE body.")
@Outcome(id = "1, .*", expect = ACCEPTABLE_INTERESTING,
        desc = "Permitted without dma_rmb: the body loads were satisfied before the owner-bit load.")
@State
public class CqeOwnerBitWithoutDmaRmb {

    private final MemorySegment cqe = TestCqe.allocate();

    @Actor
    public void device() {
        TestCqe.writeBody(cqe);
        Barriers.smpStoreReleaseInt(cqe, TestCqe.OWNER, 1); // dma_wmb() + owner store: CQE body before owner bit
    }

    @Actor
    public void host(IIII_Result r) {
        r.r1 = Barriers.readOnceInt(cqe, TestCqe.OWNER); // READ_ONCE() with no dma_rmb(): orders nothing
        TestCqe.readBody(cqe, r);
    }
}
