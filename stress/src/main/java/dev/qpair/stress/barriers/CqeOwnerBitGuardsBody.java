package dev.qpair.stress.barriers;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Hop 3-4 of the datapath: the device writes a 64-byte CQE body, then its owner word last with
 * release ({@code dma_wmb}); the host reads the owner word once, issues {@code dma_rmb()}, then
 * reads the body. Result: owner, wr_id, byte_len, status.
 */
@JCStressTest
@Description("dma_rmb after the owner-bit load: never a new owner bit with a stale CQE body")
@Outcome(id = "0, .*", expect = ACCEPTABLE, desc = "CQE still owned by the device: the host does not read it.")
@Outcome(id = "1, 77, 64, 0", expect = ACCEPTABLE, desc = "Owner bit and the whole CQE body.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "New owner bit with a stale CQE body.")
@State
public class CqeOwnerBitGuardsBody {

    private final MemorySegment cqe = TestCqe.allocate();

    @Actor
    public void device() {
        TestCqe.writeBody(cqe);
        Barriers.smpStoreReleaseInt(cqe, TestCqe.OWNER, 1); // dma_wmb() + owner store: CQE body before owner bit
    }

    @Actor
    public void host(IIII_Result r) {
        r.r1 = Barriers.readOnceInt(cqe, TestCqe.OWNER); // READ_ONCE(): the owner bit, ordered by the dma_rmb() below
        Barriers.dmaRmb(); // dma_rmb(): owner-bit load before the body loads
        TestCqe.readBody(cqe, r);
    }
}
